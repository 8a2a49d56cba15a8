"""The database engine: SQLite in WAL mode by default, PostgreSQL when the URL says so.

SQLite has one writer at a time. Every write transaction starts with ``BEGIN IMMEDIATE`` so two
processes never both read the log size and then race to append (the second waits on ``busy_timeout``).
Read-only work uses :func:`read_transaction`, which starts a deferred transaction and never blocks writers.
On PostgreSQL the log's single ``log_state`` row is locked ``FOR UPDATE`` by the appender instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DataError, OperationalError
from sqlalchemy.exc import IntegrityError as DBIntegrityError

from testament.errors import BackendUnavailable, Conflict, InvalidInput

SQLITE_BUSY_TIMEOUT_MS = 60_000
SQLITE_CACHE_KIB = 262_144
SQLITE_WAL_KEEP_BYTES = 64 * 1024 * 1024


def normalise_url(url: str) -> str:
    """Map plain ``postgresql://`` URLs onto the psycopg 3 driver; validate the rest."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(
            "the database URL cannot be parsed",
            where="TESTAMENT_DATABASE_URL",
            hint="use sqlite:///PATH or postgresql://USER@HOST:PORT/DBNAME",
        ) from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise InvalidInput(
            f"unsupported database {parsed.get_backend_name()!r}",
            where="TESTAMENT_DATABASE_URL",
            hint="Testament runs on SQLite or PostgreSQL",
        )
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        # A large import grows the WAL to about the size of what it writes; once checkpointed, the
        # file is cut back to this size instead of keeping its peak on disk.
        cursor.execute(f"PRAGMA journal_size_limit={SQLITE_WAL_KEEP_BYTES}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Proofs read a few dozen scattered tree nodes: a page cache that can hold the hot part of the
        # tree keeps them in memory. It grows only as pages are read. (Memory-mapping the file was
        # tried: it is as fast warm, but cold page faults read ahead so much that the first proof
        # after a restart took ten times longer.)
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with Testament's transaction discipline."""
    engine = create_engine(normalise_url(url), future=True)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


@contextmanager
def translate_errors(engine: Engine) -> Iterator[None]:
    """Turn a driver's connection failure into :class:`BackendUnavailable` with a diagnosis."""
    try:
        yield
    except OperationalError as exc:
        raise _unavailable(engine, exc) from None


# Any fixed key: every Testament write transaction on PostgreSQL takes this advisory lock first, so
# writers are serialised exactly as BEGIN IMMEDIATE serialises them on SQLite. A second ingest then
# waits instead of racing on "does this case or item exist yet".
WRITE_LOCK_KEY = 0x7465_7374_616D_6E74


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction, serialised with every other writer; commits on success.

    ``BEGIN IMMEDIATE`` on SQLite, a transaction-scoped advisory lock on PostgreSQL. A constraint
    violation (another writer got there first) becomes :class:`Conflict`.
    """
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
            yield connection
    except OperationalError as exc:
        raise _unavailable(engine, exc) from None
    except DataError as exc:
        if _holds_nul(exc):
            raise _nul_refused() from None
        raise
    except DBIntegrityError as exc:
        raise Conflict(
            "the database refused the change because it conflicts with data already stored",
            where=engine.url.render_as_string(hide_password=True),
            hint="run the command again; if it keeps failing, run `testament verify`",
        ) from exc


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction on one consistent snapshot that does not block writers.

    SQLite in WAL mode gives a deferred transaction a snapshot; PostgreSQL needs REPEATABLE READ for
    every statement to see the same state (READ COMMITTED would not).
    """
    try:
        with engine.connect() as base:
            if base.dialect.name == "postgresql":
                connection = base.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            else:
                connection = base.execution_options(sqlite_begin="DEFERRED")
            with connection.begin():
                yield connection
    except OperationalError as exc:
        raise _unavailable(engine, exc) from None
    except DataError as exc:
        if _holds_nul(exc):
            raise _nul_refused() from None
        raise


def _holds_nul(exc: DataError) -> bool:
    """Whether PostgreSQL refused a NUL character in text that reached a query (a name in an address,
    a username typed at sign-in): it cannot hold one, not even to compare it; SQLite can, and finds
    nothing. Such text is bad input, refused as such; the text itself is never quoted."""
    return "NUL" in str(exc.orig)


def _nul_refused() -> InvalidInput:
    return InvalidInput(
        "the text given contains a NUL character, which no text in Testament may hold",
        hint="send the text without NUL (U+0000) characters",
    )


def _unavailable(engine: Engine, exc: OperationalError) -> BackendUnavailable:
    reason = str(exc.orig).splitlines()[0] if exc.orig is not None else "unknown error"
    return BackendUnavailable(
        f"the database failed: {reason}",
        where=engine.url.render_as_string(hide_password=True),
        hint="check that the database server is running and reachable, and that the disk is not full",
    )
