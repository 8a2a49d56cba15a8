"""Transfer: records in and out of a case. Imports (TimeMap, mapped CSV, Testament JSON Lines) and
exports (JSON Lines, CSV, GeoJSON, TimeMap), with the two-person approval before an export names people,
and updates of a case's incidents from a CSV keyed by ID, previewed as a diff (``csv_update.py``).

Owns the tables import_batch and disclosure_approval. May use custody, accounts, documentation and
survivors (an export carries testimonies only under the survivors' consent gate).
"""
