"""`testament serve`: the web application and the JSON API (under /api) for this home."""

from __future__ import annotations

import os
import secrets

import click

from testament.config import check_servable, load_settings


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this machine needs HTTPS in front (docs/deploy.md).")  # fmt: skip
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(0, 64), default=1, show_default=True,
              help="Background jobs run at once beside the web application (0: none; run `testament worker`).")  # fmt: skip
def serve(host: str, port: int, workers: int) -> None:
    """Serve Testament in a browser. The first start prints a one-time link to create the first admin."""
    import uvicorn  # noqa: PLC0415 - the web stack costs time every other command need not pay

    from testament.accounts.accounts import has_admin  # noqa: PLC0415 - imported on use: the web stack costs time every other command need not pay
    from testament.http import auth  # noqa: PLC0415 - imported on use: the web stack costs time every other command need not pay
    from testament.pipeline.runner import Worker  # noqa: PLC0415 - imported on use: the web stack costs time every other command need not pay
    from testament.server import create_server  # noqa: PLC0415 - imported on use: the web stack costs time every other command need not pay
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: the web stack costs time every other command need not pay
    from testament.web.site import TILE_URL_SETTING  # noqa: PLC0415 - imported on use: the web stack costs time every other command need not pay

    settings = load_settings()
    check_servable(settings)
    inst = open_home(settings)
    try:
        setup_token = None if has_admin(inst) else secrets.token_urlsafe(24)
        site = create_server(
            inst,
            api_token=auth.ensure_token(settings.home),
            setup_token=setup_token,
            tile_url=os.environ.get(TILE_URL_SETTING, ""),
        )
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only shown
        click.echo(f"Testament is at http://{shown}:{port}", err=True)
        if setup_token is not None:
            click.echo(
                "No administrator yet. Create the first one, once, at:\n"
                f"  http://{shown}:{port}/setup?token={setup_token}\n"
                "(the link works until an administrator exists or the server stops)",
                err=True,
            )
        worker = Worker(inst, concurrency=workers) if workers else None
        if worker is not None:
            worker.start()
        try:
            uvicorn.run(site, host=host, port=port, log_level="warning", access_log=False)
        finally:
            if worker is not None:
                worker.stop()
    finally:
        inst.close()
