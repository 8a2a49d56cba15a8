"""Documentation: incidents, sources, units, people as records, evidence links and assessments, legal
qualification, the proof chart, the gazetteer, and searching all of them.

Owns the tables incident, incident_area, incident_relation, casualty, source, incident_source, unit,
unit_commander, unit_involvement, person, person_role, item_incident, assessment, qualification,
element_link, admin_area and record_tag (tags on items and incidents, ``tags.py``); search_document
through the search engine. May use custody and accounts; never survivors (an identity is not a record).
"""
