"""Creating and opening a Testament home: database, instance keys, vault.

``init`` is idempotent: on an existing home it applies pending migrations and leaves keys untouched.
"""

from __future__ import annotations

import getpass
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar, Token
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, Engine

from testament.config import Settings
from testament.custody import custody
from testament.custody.queries import instance as queries
from testament.custody.records import agent_record
from testament.domain.access import OWNER, Principal
from testament.domain.custody import CustodyEventType, commitment, utc_timestamp
from testament.errors import BackendUnavailable, Conflict, IntegrityError, InvalidInput, NotFound
from testament.ledger import log
from testament.ledger.keys import (
    NoteSigner,
    VerifierKey,
    create_signing_key,
    load_signing_key,
    validate_key_name,
)
from testament.storage import migrate
from testament.storage.engine import (
    lock_log,
    make_engine,
    read_transaction,
    translate_errors,
    write_transaction,
)
from testament.vault.base import BlobStore
from testament.vault.crypto import InstanceKey, create_instance_key, load_instance_key
from testament.vault.filesystem import FilesystemBlobStore


@dataclass(frozen=True)
class InstanceRecord:
    instance_id: str
    log_origin: str
    vault_key_id: str | None
    verifier_key: VerifierKey
    created_at: str


@dataclass
class Instance:
    """An opened Testament home, as one principal acts on it. Build with :func:`open_instance`; bind
    to whoever acts with :meth:`acting_for`; close with :meth:`close`.

    Every use case takes an instance and asks the policy (``custody.policy``) about ``principal``.
    Copies made by :meth:`acting_for` share the engine, the keys and the vault.
    """

    settings: Settings
    engine: Engine
    record: InstanceRecord
    principal: Principal = OWNER
    _shared: dict[str, Any] = field(default_factory=dict, repr=False)

    def acting_for(self, principal: Principal) -> Instance:
        """This home as ``principal`` acts on it: their permissions, and their agent in the log."""
        return replace(self, principal=principal)

    def _once(self, name: str, make: Callable[[], Any]) -> Any:
        if name not in self._shared:
            self._shared[name] = make()
        return self._shared[name]

    @property
    def signer(self) -> NoteSigner:
        found: NoteSigner = self._once("signer", self._load_signer)
        return found

    def _load_signer(self) -> NoteSigner:
        signer = load_signing_key(self.settings.signing_key_file, self.record.log_origin)
        if signer.verifier != self.record.verifier_key:
            raise IntegrityError(
                "the signing key file does not match this instance's log key",
                where=str(self.settings.signing_key_file),
                hint=f"the instance's log key is {self.record.verifier_key.encode()}",
            )
        return signer

    @property
    def vault_key(self) -> InstanceKey | None:
        if not self.settings.encrypt_at_rest:
            return None
        found: InstanceKey = self._once(
            "vault_key", lambda: load_instance_key(self.settings.vault_key_file)
        )
        return found

    @property
    def identity_key(self) -> InstanceKey:
        """The key that wraps each person's identity key; created the first time a home needs it."""
        found: InstanceKey = self._once("identity_key", self._load_identity_key)
        return found

    def _load_identity_key(self) -> InstanceKey:
        path = self.settings.identity_key_file
        if not path.exists():
            with suppress(Conflict):  # another process created it first
                create_instance_key(path)
        return load_instance_key(path, what="the identity key")

    @property
    def blobs(self) -> BlobStore:
        found: BlobStore = self._once(
            "blobs",
            lambda: FilesystemBlobStore(self.settings.vault_dir, instance_key=self.vault_key),
        )
        return found

    def close(self) -> None:
        self.engine.dispose()


def _read_record(connection: Connection) -> InstanceRecord | None:
    row = queries.instance_row(connection)
    if row is None:
        return None
    try:
        key = VerifierKey.parse(row[3])
    except InvalidInput:
        raise IntegrityError(
            "the instance record's log key is damaged",
            where="instance record",
            hint="restore the database from a backup; `testament log key` output kept elsewhere "
            "tells which key is right",
        ) from None
    return InstanceRecord(row[0], row[1], row[2], key, row[4])


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no USER/LOGNAME, as in some containers
        return f"uid:{os.getuid()}"


# The account a request acts for. The web layer sets it for the length of a request; the CLI leaves it
# unset, so its writes are the operating-system user's.
_acting_user: ContextVar[int | None] = ContextVar("testament_acting_user", default=None)


@contextmanager
def acting_as(user_id: int | None) -> Iterator[None]:
    """Attribute every write in this block to the account ``user_id`` (``None``: the OS user)."""
    token = _acting_user.set(user_id)
    try:
        yield
    finally:
        _acting_user.reset(token)


def set_acting_user(user_id: int | None) -> Token[int | None]:
    """Set the acting account for the rest of the current context (the web layer, once per request)."""
    return _acting_user.set(user_id)


def acting_user() -> int | None:
    """The account the current request acts for, if any."""
    return _acting_user.get()


def who_acts(instance: Instance) -> Principal:
    """The principal the policy asks about: the instance's, except that the owner may narrow itself to
    an account for a block of code (:func:`acting_as`), as the web layer and tests do."""
    user_id = _acting_user.get()
    if instance.principal.is_owner and user_id is not None:
        return Principal(user_id, None, "write", "account")
    return instance.principal


def acting_agent(connection: Connection) -> int:
    """The agent that custody events written now belong to: the acting account's, else the OS user's."""
    return _agent(connection, *acting_identity())


def acting_identity() -> tuple[str, str]:
    """The kind and name of the agent that :func:`acting_agent` stands for."""
    user_id = _acting_user.get()
    if user_id is None:
        return "os-user", _os_user()
    # The agent's name is the account's number, never its username: no personal data in the log.
    return "user", str(user_id)


def identity_of(instance: Instance) -> tuple[str, str]:
    """The kind and name of the agent that ``instance``'s principal writes as; unlike
    :func:`acting_agent`, it creates nothing (for a read that asks "is this mine?")."""
    user_id = who_acts(instance).user_id
    return ("os-user", _os_user()) if user_id is None else ("user", str(user_id))


def os_agent(connection: Connection) -> int:
    """The agent ID of the operating-system user running this process.

    A new agent gets a creation event committing to its row (the name stays out of the log).
    """
    return _agent(connection, "os-user", _os_user())


def software_agent(connection: Connection, name: str) -> int:
    """The agent ID of a piece of Testament's own software (the processing pipeline), which writes the
    events of the work it does on its own (extraction, derivatives, captures)."""
    return _agent(connection, "software", name)


def _agent(connection: Connection, kind: str, name: str) -> int:
    found = queries.agent_named(connection, kind, name)
    if found is None:
        lock_log(connection)  # a writer beside this one may be creating the same agent: ask again
        found = queries.agent_named(connection, kind, name)
    if found is not None:
        return found
    row: dict[str, Any] = {
        "kind": kind,
        "name": name,
        "created_at": utc_timestamp(),
        "record_salt": secrets.token_bytes(16),
    }
    row["id"] = queries.insert_agent(connection, row)
    custody.record(
        connection,
        [
            custody.NewEvent(
                CustodyEventType.CREATION,
                agent_id=row["id"],
                detail={"object": "agent"},
                record=commitment(row["record_salt"], agent_record(row)),
            )
        ],
    )
    return int(row["id"])


@dataclass(frozen=True)
class InitReport:
    home: str
    created: bool
    schema_before: str | None
    schema_after: str
    log_origin: str
    verifier_key: str


def init(settings: Settings) -> InitReport:
    """Create a home (database, keys, vault, first log entry) or upgrade an existing one."""
    if settings.log_origin is not None:
        validate_key_name(settings.log_origin)
    try:
        settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise InvalidInput(
            f"cannot create the Testament home: {exc.strerror}",
            where=str(settings.home),
            hint="choose a writable directory with TESTAMENT_HOME",
        ) from None
    engine = make_engine(settings.database_url)
    try:
        with translate_errors(engine):
            before, after = migrate.upgrade(engine)
        with read_transaction(engine) as connection:
            existing = _read_record(connection)
        if existing is not None:
            return InitReport(
                str(settings.home),
                False,
                before,
                after,
                existing.log_origin,
                existing.verifier_key.encode(),
            )
        try:
            return _create(settings, engine, before, after)
        except OSError as exc:
            raise BackendUnavailable(
                f"cannot write the Testament home: {exc.strerror}",
                where=str(exc.filename or settings.home),
                hint="check permissions and free space",
            ) from None
    finally:
        engine.dispose()


def _create(settings: Settings, engine: Engine, before: str | None, after: str) -> InitReport:
    instance_id = str(uuid.uuid4())
    origin = validate_key_name(settings.log_origin or f"testament.invalid/{instance_id}")
    if not settings.signing_key_file.exists():
        create_signing_key(settings.signing_key_file)
    vault_key_id = None
    if settings.encrypt_at_rest:
        if not settings.vault_key_file.exists():
            create_instance_key(settings.vault_key_file)
        vault_key_id = load_instance_key(settings.vault_key_file).key_id
    signer = load_signing_key(settings.signing_key_file, origin)
    store = FilesystemBlobStore(
        settings.vault_dir,
        instance_key=load_instance_key(settings.vault_key_file)
        if settings.encrypt_at_rest
        else None,
    )
    store.initialise()
    created_at = utc_timestamp()
    with write_transaction(engine) as connection:
        queries.insert_instance(
            connection,
            {
                "instance_id": instance_id,
                "log_origin": origin,
                "vault_key_id": vault_key_id,
                "signing_key_id": signer.verifier.key_id.hex(),
                "verifier_key": signer.verifier.encode(),
                "created_at": created_at,
            },
        )
        log.initialise(connection)
        custody.record(
            connection,
            [
                custody.NewEvent(
                    CustodyEventType.INSTANCE_INITIALISATION,
                    agent_id=os_agent(connection),
                    detail={
                        "instance": instance_id,
                        "log_key": signer.verifier.encode(),
                        "vault_key_id": vault_key_id,
                        "encryption": "AES-256-GCM" if settings.encrypt_at_rest else "none",
                    },
                )
            ],
        )
        log.sign_checkpoint(connection, origin, signer, utc_timestamp())
    return InitReport(str(settings.home), True, before, after, origin, signer.verifier.encode())


def open_instance(settings: Settings) -> Instance:
    """Open an initialised home; refuse one that is missing or needs a migration.

    The edges open through :func:`testament.startup.open_home`, which runs the startup steps too.
    """
    if (
        settings.is_sqlite
        and not (settings.home / "testament.db").exists()
        and (settings.database_url.endswith(str(settings.home / "testament.db")))
    ):
        raise NotFound(
            "no Testament home here",
            where=str(settings.home),
            hint="run `testament init`, or set TESTAMENT_HOME to an existing home",
        )
    engine = make_engine(settings.database_url)
    try:
        with translate_errors(engine):
            migrate.require_current(engine)
        with read_transaction(engine) as connection:
            record = _read_record(connection)
    except Exception:
        engine.dispose()
        raise
    if record is None:
        engine.dispose()
        raise Conflict(
            "this database has no Testament instance",
            where=str(settings.home),
            hint="run `testament init`",
        )
    return Instance(settings, engine, record)


@contextmanager
def recording(instance: Instance) -> Iterator[Connection]:
    """A write transaction whose custody events are covered by a signed checkpoint when it commits.

    Every service that records custody events writes through this, so the log never has unsigned
    entries at rest (verify step 5 reports entries that no checkpoint covers).
    """
    token = _acting_user.set(who_acts(instance).user_id)  # its events are the principal's
    try:
        with write_transaction(instance.engine) as connection:
            yield connection
            log.sign_checkpoint(
                connection, instance.record.log_origin, instance.signer, utc_timestamp()
            )
    finally:
        _acting_user.reset(token)
