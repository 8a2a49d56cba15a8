"""`testament api …`: serve the JSON API on this machine, and print the token it asks for."""

from __future__ import annotations

import click

from testament.config import check_servable, load_settings


@click.group("api")
def api_group() -> None:
    """The JSON API (OpenAPI document at /docs and /openapi.json)."""


@api_group.command("token")
def token() -> None:
    """Print the API token (created, mode 0600, on first use)."""
    from testament.http import auth  # noqa: PLC0415 - FastAPI costs time every other command need not pay

    click.echo(auth.ensure_token(load_settings().home))


@api_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Until accounts exist, keep it on this machine.")  # fmt: skip
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
def serve(host: str, port: int) -> None:
    """Serve the JSON API for the home in TESTAMENT_HOME."""
    import uvicorn  # noqa: PLC0415 - imported on use: the web stack costs time every other command need not pay

    from testament.api.app import create_app  # noqa: PLC0415 - imported on use: the web stack costs time every other command need not pay
    from testament.http import auth  # noqa: PLC0415 - imported on use: the web stack costs time every other command need not pay
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: the web stack costs time every other command need not pay

    settings = load_settings()
    check_servable(settings)
    inst = open_home(settings)
    try:
        app = create_app(inst, api_token=auth.ensure_token(settings.home))
        click.echo(
            f"Serving the JSON API on http://{host}:{port} (token: `testament api token`)", err=True
        )
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        inst.close()
