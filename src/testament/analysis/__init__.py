"""Analysis over documented incidents: the gazetteer of administrative areas, and later patterns and charts."""
