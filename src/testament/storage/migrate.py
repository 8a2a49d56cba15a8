"""Apply and inspect Alembic migrations programmatically (``testament init`` upgrades a home in place)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from testament.errors import Conflict

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The revision this version of Testament expects."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no migrations are packaged")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision a database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the head revision; returns (before, after)."""
    before = current_revision(engine)
    config = _config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()
    return before, head_revision()


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is not at the head revision."""
    current = current_revision(engine)
    head = head_revision()
    if current is None:
        raise Conflict(
            "this Testament home has no database yet",
            where=engine.url.render_as_string(hide_password=True),
            hint="run `testament init` first",
        )
    if current != head:
        raise Conflict(
            f"the database schema is at revision {current}, this Testament expects {head}",
            where=engine.url.render_as_string(hide_password=True),
            hint="run `testament init` to upgrade it in place",
        )
