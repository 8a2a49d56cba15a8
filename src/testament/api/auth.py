"""Until accounts exist, the API admits holders of the home's API token (``<home>/keys/api-token``, 0600).

Whoever can read that file can already run the CLI against the home, so the token grants nothing more;
it keeps other local users and web pages in a browser (which can reach 127.0.0.1) out.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from fastapi import HTTPException, Request

from testament.secretfiles import read_secret


def token_file(home: Path) -> Path:
    return home / "keys" / "api-token"


def ensure_token(home: Path) -> str:
    """The home's API token, created (mode 0600) on first use."""
    path = token_file(home)
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return read_secret(path, "API token", missing_hint="run `testament api token`").decode().strip()


def require_token(request: Request) -> None:
    """FastAPI dependency: refuse a request without ``Authorization: Bearer <token>``."""
    expected: str = request.app.state.api_token
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip(), expected):
        raise HTTPException(
            401,
            "this request has no valid API token: send Authorization: Bearer <token> "
            "(`testament api token` prints it)",
        )
