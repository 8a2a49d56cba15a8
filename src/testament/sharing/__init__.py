"""Sharing: reading and writing the formats other tools publish (TimeMap JSON, mapped CSV, JSON Lines, GeoJSON).

This layer knows file formats, not the database: importers yield plain dataclasses, exporters write plain
mappings, and ``services/imports.py`` and ``services/exports.py`` connect them to incidents and sources.
"""
