"""The server ``testament serve`` runs: the pages (``web/``) with the JSON API (``api/``) mounted at
``/api``. The two edges never import each other; this is the one place that puts them together.
"""

from __future__ import annotations

from fastapi import FastAPI

from testament.api.app import create_app
from testament.custody.instance import Instance
from testament.web.site import create_site


def create_server(
    instance: Instance, *, api_token: str, setup_token: str | None = None, tile_url: str = ""
) -> FastAPI:
    """The whole site for ``instance``. ``setup_token`` opens ``/setup`` until an admin exists."""
    api = create_app(instance, api_token=api_token)
    return create_site(
        instance, api=api, api_token=api_token, setup_token=setup_token, tile_url=tile_url
    )
