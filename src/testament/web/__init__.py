"""The web application: HTML pages (Jinja2 + htmx, assets vendored) over the same services as the API."""
