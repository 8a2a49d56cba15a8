"""Apply and inspect Alembic migrations programmatically (``testament init`` upgrades a home in place)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, inspect, text

from testament.errors import Conflict

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions. Commands check it without importing Alembic (which costs
# half a second per command); a test keeps it equal to Alembic's own head.
SCHEMA_HEAD = "0020"


def _config() -> Config:
    from alembic.config import Config  # noqa: PLC0415 - Alembic costs 0.5 s to import

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The revision this version of Testament expects."""
    return SCHEMA_HEAD


def alembic_head() -> str | None:
    """Alembic's own view of the head revision (for the test that guards :data:`SCHEMA_HEAD`)."""
    from alembic.script import ScriptDirectory  # noqa: PLC0415 - see _config

    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision a database is at, or None for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return None if value is None else str(value)


@contextmanager
def _rebuilding(connection: Connection) -> Iterator[None]:
    """On SQLite, foreign keys off while migrations run, then checked before they are committed.

    Alembic changes a SQLite table's constraints by rebuilding it (create a copy, drop the original,
    rename the copy); with foreign keys enforced, dropping a table that other rows point at fails, or
    (deferred) fails at commit. SQLite lets the setting change only outside a transaction, so it is
    set on the driver's connection before the first migration begins. Every foreign key is checked once
    the migrations have run, and a violation is reported.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw: Any = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            connection.rollback()
            table, row_id, parent = broken[0][0], broken[0][1], broken[0][2]
            raise Conflict(
                f"the migrated database has {len(broken)} row(s) pointing at missing rows",
                where=f"{table} row {row_id} -> {parent}",
                hint="the rows named point at rows the migration did not keep; report this",
            )
    finally:
        if connection.in_transaction():
            connection.commit()
        raw.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to the head revision; returns (before, after)."""
    from alembic import command  # noqa: PLC0415 - see _config

    before = current_revision(engine)
    config = _config()
    with engine.connect() as connection, _rebuilding(connection):
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return before, head_revision()


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to an older revision (tests of upgrades use it)."""
    from alembic import command  # noqa: PLC0415 - see _config

    config = _config()
    with engine.connect() as connection, _rebuilding(connection):
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


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
