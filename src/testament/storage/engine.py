"""The database engine: SQLite in WAL mode by default, PostgreSQL when the URL says so.

SQLite has one writer at a time. Every write transaction starts with ``BEGIN IMMEDIATE`` so two
processes never both read the log size and then race to append (the second waits on ``busy_timeout``).
Read-only work uses :func:`read_transaction`, which starts a deferred transaction and never blocks writers.

On PostgreSQL writers run side by side until one appends to the custody log: the append locks the log's
single ``log_state`` row ``FOR UPDATE`` (:func:`lock_log`), and the lock is held until the transaction
ends. Log entries therefore take the order in which their transactions commit, and everything a
transaction does before its first append (reading, checking, inserting its records) overlaps with other
writers. Where another writer got there first, a unique constraint refuses the second and
:func:`write_transaction` turns that into :class:`Conflict`; a check that no constraint backs (is this
already linked? already decided?) takes :func:`lock_log` before it reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DataError, DBAPIError, OperationalError
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


# The custody log's lock: its one state row, locked until the transaction ends.
LOG_LOCK_SQL = "SELECT size FROM log_state WHERE id = 1 FOR UPDATE"

# SQLSTATE classes of a transaction PostgreSQL rolled back because of another one (40001 serialization
# failure, 40P01 deadlock detected): nothing is wrong, the same request can simply be made again.
_ROLLED_BACK_FOR_ANOTHER = "40"


def lock_log(connection: Connection) -> None:
    """Hold the custody log's lock from now until this transaction ends.

    While it is held no other transaction can append to the log, and so none can commit a recorded
    change; what this transaction reads after taking it stays as it read it, for every write that is
    recorded (all documentation, custody and consent changes are). Appending takes it too, so a
    second call, or an append after it, is free. On SQLite ``BEGIN IMMEDIATE`` already made this
    transaction the only writer, and this does nothing.
    """
    if connection.dialect.name == "postgresql" and locked_log_size(connection) is None:
        size = connection.exec_driver_sql(LOG_LOCK_SQL).scalar()
        if size is not None:  # else the log is not initialised, which appending will say
            note_log_locked(connection, int(size))


# Where a connection notes that its current transaction holds the log's lock, with the log's size as
# the lock found it. The note keeps the transaction object itself, so it is never taken for a later
# transaction's.
_LOG_LOCK_NOTE = "testament.log_lock"


def note_log_locked(connection: Connection, size: int) -> None:
    """Note that the current transaction took the log's lock and found ``size`` entries."""
    connection.info[_LOG_LOCK_NOTE] = (connection.get_transaction(), size)


def locked_log_size(connection: Connection) -> int | None:
    """The log's size when the current transaction took its lock; None if it has not (PostgreSQL)."""
    note = connection.info.get(_LOG_LOCK_NOTE)
    if note is None or note[0] is not connection.get_transaction():
        return None
    return int(note[1])


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction; commits on success.

    On SQLite it starts with ``BEGIN IMMEDIATE``: one writer at a time. On PostgreSQL it runs beside
    other writers until it appends to the custody log or calls :func:`lock_log` (see the module's
    notes). A constraint violation (another writer got there first), a deadlock or a serialization
    failure becomes :class:`Conflict`, which says to run the request again.
    """
    try:
        try:
            with engine.begin() as connection:
                yield connection
        except engine.dialect.loaded_dbapi.Error as exc:
            # The log's hot paths speak to the driver directly: its errors arrive unwrapped.
            raise DBAPIError.instance(None, None, exc, engine.dialect.loaded_dbapi.Error) from exc
    except OperationalError as exc:
        if _rolled_back_for_another(exc):
            raise Conflict(
                "the database stopped this change because another one was made at the same time",
                where=engine.url.render_as_string(hide_password=True),
                hint="run the command again",
            ) from exc
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


def _rolled_back_for_another(exc: OperationalError) -> bool:
    state = getattr(exc.orig, "sqlstate", None)
    return isinstance(state, str) and state.startswith(_ROLLED_BACK_FOR_ANOTHER)


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
