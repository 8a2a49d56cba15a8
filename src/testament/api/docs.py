"""The API's own documentation page, ``/api/docs``: Swagger UI served from Testament itself.

FastAPI's default page loads Swagger UI from a CDN, so it is blank offline and needs the CDN in the
Content-Security-Policy. This one loads the vendored ``swagger-ui-dist`` (pinned by npm integrity and
SHA-256 in ``web/static/vendor/vendor.json``, like htmx and Leaflet) and a small script of ours, under the
pages' own policy: nothing from elsewhere, no inline script or style (docs/web.md).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

# The site's static files, which hold the vendored Swagger UI; the API served alone
# (`testament api serve`) serves them itself, at the same address as the site does.
STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
SWAGGER_UI = "/static/vendor/swagger-ui-dist-5.36.0"
POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)
_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} API</title>
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi="{openapi}"></div>
  <script src="{assets}/swagger-ui-bundle.js"></script>
  <script src="/static/api-docs.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve the documentation page at ``/docs`` (create the app with ``docs_url=None``), and its assets
    under ``/static`` for when the API is served alone (under the site, the site's own serve them)."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> HTMLResponse:
        openapi = str(request.scope.get("root_path", "")) + str(app.openapi_url)
        page = _PAGE.format(title=app.title, assets=SWAGGER_UI, openapi=openapi)
        headers = {
            "Content-Security-Policy": POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        }
        return HTMLResponse(page, headers=headers)
