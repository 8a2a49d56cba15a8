"""The identity vault, consent and erasure, on both databases (docs/survivors.md; MC-01, MC-02, MC-06).

Each refusal the survivors issue lists has a test here: an export for the ICC under an internal-only
grant, consent withdrawn while an export is being written, an erasure followed by a restore from an
old backup. Nothing is mocked: the vault, the log and the database files are real.
"""

from __future__ import annotations

import io
import json
import shutil
import threading
import time
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from testament import startup
from testament.accounts import accounts, credentials
from testament.api.app import create_app
from testament.custody import cases, verification
from testament.custody.instance import Instance, recording
from testament.errors import Conflict, ConsentRequired, IntegrityError, InvalidInput, NotFound
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.survivors import consent, erasure, identity
from testament.transfer import exports
from tests.conftest import SQLITE_ONLY

CASE = "Bucha"
NAME = "Олександр Коваленко"
OTHER_NAME = "Oleksandr Kovalenko"
PHONE = "+380501234567"
OPERATOR = "operator-token-0123456789"
INTERNAL = consent.GrantInput(
    purpose="internal-analysis",
    recipient_class="internal",
    mode="written",
    language="uk",
    info_sheet_version="2026-1",
    understanding_checked=True,
)
ICC = exports.Audience("icc-otp", "criminal-investigation", "ICC Office of the Prosecutor")
US = exports.Audience("internal", "internal-analysis", "Our analysts")


def survivor(instance: Instance, name: str = NAME) -> str:
    cases.create_case(instance, CASE) if not _has_case(instance) else None
    person_id, _ = identity.add_person(
        instance,
        CASE,
        identity.Identity(
            name=name,
            other_names=(OTHER_NAME,),
            date_of_birth="1980-03-02",
            place="Bucha",
            contacts=(PHONE,),
        ),
    )
    return person_id


def _has_case(instance: Instance) -> bool:
    with read_transaction(instance.engine) as conn:
        return conn.execute(select(tables.case.c.id)).first() is not None


def log_text(instance: Instance) -> str:
    with read_transaction(instance.engine) as conn:
        entries = conn.execute(select(tables.log_entry.c.data)).scalars()
        events = conn.execute(select(tables.custody_event.c.detail)).scalars()
        return "\n".join([*(bytes(e).decode() for e in entries), *events])


def export_text(instance: Instance, audience: exports.Audience | None, fmt: str = "jsonl") -> str:
    out = io.StringIO()
    exports.export(instance, fmt, CASE, out, audience=audience)
    return out.getvalue()


# --- The vault --------------------------------------------------------------------------------------


def test_an_identity_is_sealed_and_never_logged_or_indexed(instance: Instance) -> None:
    person_id = survivor(instance)
    with read_transaction(instance.engine) as conn:
        sealed = conn.execute(select(tables.person_identity.c.sealed)).scalar_one()
        label = conn.execute(
            select(tables.person.c.label).where(tables.person.c.id == person_id)
        ).scalar_one()
        indexed = " ".join(
            str(v) for row in conn.execute(select(tables.search_document)) for v in row
        )
    assert NAME.encode() not in sealed and PHONE.encode() not in sealed
    assert label.startswith("P-") and NAME not in label
    for text in (log_text(instance), indexed):
        assert NAME not in text and OTHER_NAME not in text and PHONE not in text
        assert "1980-03-02" not in text
    assert person_id in log_text(instance)  # the event names the person by ID


def test_revealing_needs_a_reason_and_is_a_custody_event(instance: Instance) -> None:
    person_id = survivor(instance)
    with pytest.raises(InvalidInput) as refused:
        identity.reveal(instance, person_id, "  ")
    assert "purpose" in refused.value.errors
    found = identity.reveal(instance, person_id, "prepare a referral to medical care")
    assert found.name == NAME and found.contacts == (PHONE,)
    assert "prepare a referral to medical care" in log_text(instance)
    assert NAME not in log_text(instance)


def test_a_sealed_identity_cannot_be_moved_to_another_person(instance: Instance) -> None:
    first, second = survivor(instance), survivor(instance, "Марія Шевченко")
    with recording(instance) as conn:
        t = tables.person_identity
        stolen = conn.execute(select(t.c.sealed).where(t.c.person_id == first)).scalar_one()
        conn.execute(update(t).where(t.c.person_id == second).values(sealed=stolen))
    with pytest.raises(IntegrityError):
        identity.reveal(instance, second, "audit")


@pytest.mark.parametrize(
    ("values", "where"),
    [
        ({"name": ""}, "--name"),
        ({"name": "1234 !!"}, "--name"),
        ({"name": "Ok", "date_of_birth": "2 March 1980"}, "--dob"),
        ({"name": "Ok", "date_of_birth": "1980-02-30"}, "--dob"),
        ({"name": "Ok", "contacts": ("",)}, "--contact"),
    ],
)
def test_bad_identities_are_refused_by_field_without_echoing_them(
    instance: Instance, values: dict[str, object], where: str
) -> None:
    cases.create_case(instance, CASE)
    with pytest.raises(InvalidInput) as refused:
        identity.add_person(instance, CASE, identity.Identity(**values))  # type: ignore[arg-type]
    assert refused.value.where == where
    diagnosis = refused.value.diagnostics()
    for value in values.values():
        if isinstance(value, str) and len(value) > 2:
            assert value not in diagnosis
    with read_transaction(instance.engine) as conn:
        assert conn.execute(select(func.count()).select_from(tables.person)).scalar() == 0


def test_the_api_refuses_a_viewer_an_identity_and_logs_the_attempt(instance: Instance) -> None:
    person_id = survivor(instance)
    accounts.create_user(instance, "vera", "correct horse battery staple")
    accounts.grant_role(instance, "vera", CASE, "viewer")
    _, secret = credentials.create_token(instance, "vera", "t")
    app = create_app(instance, api_token=OPERATOR)
    with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as http:
        response = http.get(f"/people/{person_id}/identity", params={"purpose": "curious"})
        assert response.status_code == 403
        assert NAME not in response.text
        assert http.get(f"/people/{person_id}").status_code == 200  # the record itself is visible
    with read_transaction(instance.engine) as conn:
        denied = [
            json.loads(d)
            for d in conn.execute(
                select(tables.custody_event.c.detail).where(
                    tables.custody_event.c.outcome == "denied"
                )
            ).scalars()
        ]
    assert denied == [
        {"object": "person-identity", "person": person_id, "action": "reveal", "purpose": "curious"}
    ]
    with TestClient(app, headers={"Authorization": f"Bearer {OPERATOR}"}) as http:
        shown = http.get(f"/people/{person_id}/identity", params={"purpose": "referral"})
        assert shown.status_code == 200 and shown.json()["identity"]["name"] == NAME


# --- Consent ----------------------------------------------------------------------------------------


def test_an_icc_export_under_an_internal_only_grant_is_refused(instance: Instance) -> None:
    person_id = survivor(instance)
    consent.grant(instance, person_id, INTERNAL)
    with pytest.raises(ConsentRequired) as refused:
        export_text(instance, ICC)
    message = refused.value.diagnostics()
    assert "no grant for purpose criminal-investigation to icc-otp" in message
    assert person_id in message and NAME not in message
    with pytest.raises(ConsentRequired):
        export_text(instance, None)  # no audience named at all
    assert "P-" in export_text(instance, US)  # the grant that exists allows its own use


def test_check_names_a_withdrawn_or_expired_grant(instance: Instance) -> None:
    person_id = survivor(instance)
    grant_id = consent.grant(instance, person_id, INTERNAL)
    use = consent.check_use("export", "internal-analysis", "internal", "testimony")
    assert consent.check(instance, person_id, use).grant_id == grant_id
    consent.withdraw(instance, person_id, communicated_via="phone")
    decision = consent.check(instance, person_id, use)
    assert not decision.allowed and "was withdrawn on" in decision.reason
    states = [g.state for g in consent.grants(instance, person_id)]
    assert states == ["withdrawn"]


def test_withdrawal_lists_who_was_served_and_keeps_history(instance: Instance) -> None:
    person_id = survivor(instance)
    consent.grant(instance, person_id, INTERNAL)
    export_text(instance, US)
    export_text(instance, US)
    events_before = len(log_text(instance).splitlines())
    result = consent.withdraw(instance, person_id, communicated_via="in-person")
    assert [(r.recipient, r.uses) for r in result.to_tell] == [("Our analysts", 2)]
    assert len(result.revoked) == 1
    assert len(log_text(instance).splitlines()) > events_before  # nothing deleted, one more event
    with pytest.raises(ConsentRequired, match="was withdrawn"):
        export_text(instance, US)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"purpose": "general-awareness"}, "--purpose"),
        ({"recipient_class": "anyone"}, "--recipient-class"),
        ({"data_scope": "everything"}, "--scope"),
        ({"mode": "telepathy"}, "--mode"),
        ({"identifiability": "famous"}, "--identifiability"),
        ({"language": "Ukrainian!"}, "--language"),
        ({"info_sheet_version": " "}, "--info-sheet"),
        ({"expires_at": "2020-01-01"}, "--expires"),
        ({"expires_at": "soon"}, "--expires"),
    ],
)
def test_bad_grants_are_refused_by_option(
    instance: Instance, change: dict[str, str], where: str
) -> None:
    person_id = survivor(instance)
    values = consent.GrantInput(**(INTERNAL.__dict__ | change))
    with pytest.raises(InvalidInput) as refused:
        consent.grant(instance, person_id, values)
    assert refused.value.where == where
    assert consent.grants(instance, person_id) == []


def test_withdrawing_a_grant_the_person_does_not_have(instance: Instance) -> None:
    person_id = survivor(instance)
    with pytest.raises(NotFound):
        consent.withdraw(instance, person_id, communicated_via="phone", grant_ids=["nope"])
    with pytest.raises(InvalidInput):
        consent.withdraw(instance, person_id, communicated_via="pigeon")


class _SlowSink(io.StringIO):
    """Holds the export mid-write until told to go on, so a withdrawal can arrive meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.writing = threading.Event()
        self.go_on = threading.Event()

    def write(self, text: str, /) -> int:
        self.writing.set()
        assert self.go_on.wait(30)
        return super().write(text)


def test_consent_withdrawn_while_an_export_is_written(instance: Instance) -> None:
    person_id = survivor(instance)
    consent.grant(instance, person_id, INTERNAL)
    sink = _SlowSink()
    exported: list[exports.ExportReport] = []
    thread = threading.Thread(
        target=lambda: exported.append(exports.export(instance, "jsonl", CASE, sink, audience=US))
    )
    thread.start()
    assert sink.writing.wait(30)
    withdrawn: list[consent.Withdrawal] = []
    withdrawal = threading.Thread(
        target=lambda: withdrawn.append(
            consent.withdraw(instance, person_id, communicated_via="phone")
        )
    )
    withdrawal.start()
    time.sleep(0.5)
    assert not withdrawn  # the withdrawal waits for the export's transaction
    sink.go_on.set()
    thread.join(30)
    withdrawal.join(30)
    # The export committed first, so its recipient is among those to tell; every later use is refused.
    assert exported and withdrawn
    assert [r.recipient for r in withdrawn[0].to_tell] == ["Our analysts"]
    with pytest.raises(ConsentRequired):
        export_text(instance, US)


# --- Erasure ----------------------------------------------------------------------------------------


def test_erasure_shreds_the_identity_and_keeps_every_proof(instance: Instance) -> None:
    person_id = survivor(instance)
    consent.grant(instance, person_id, INTERNAL)
    report = erasure.erase(instance, person_id, grounds="survivor-request")
    assert report.grants_revoked == 1
    with pytest.raises(NotFound, match="erased under policy"):
        identity.reveal(instance, person_id, "audit")
    assert identity.summary(instance, person_id).identity == "erased"
    findings = verification.run(instance)
    assert all(f.ok for f in findings), [f for f in findings if not f.ok]
    assert '"grounds":"survivor-request"' in log_text(instance).replace(" ", "")
    with read_transaction(instance.engine) as conn:
        key = conn.execute(select(tables.person_key)).mappings().one()
    assert key["wrapped_key"] is None and key["shredded_at"] is not None
    people_lines = [
        json.loads(line)
        for line in export_text(instance, US).splitlines()
        if '"person"' in line and '"kind"' in line
    ]
    assert [p["data"]["description"] for p in people_lines] == [identity.ERASED]
    with pytest.raises(Conflict):
        erasure.erase(instance, person_id, grounds="survivor-request")
    with pytest.raises(NotFound):
        erasure.erase(instance, "no-such-person", grounds="survivor-request")
    with pytest.raises(InvalidInput):
        erasure.erase(instance, person_id, grounds="because")


def _files(instance: Instance) -> list[Path]:
    home = instance.settings.home
    return [p for p in home.rglob("*") if p.is_file() and "keys" not in p.parts]


@SQLITE_ONLY
def test_after_a_shred_no_file_holds_the_name_or_the_key(instance: Instance) -> None:
    person_id = survivor(instance)
    with read_transaction(instance.engine) as conn:
        wrapped = conn.execute(select(tables.person_key.c.wrapped_key)).scalar_one()
    assert any(wrapped in p.read_bytes() for p in _files(instance))  # the search can find it
    erasure.erase(instance, person_id, grounds="safety-emergency")
    for path in _files(instance):
        data = path.read_bytes()
        assert wrapped not in data, path.name
        for secret in (NAME, OTHER_NAME, PHONE):
            assert secret.encode() not in data, path.name
    wal = Path(str(instance.engine.url.database) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


@SQLITE_ONLY
def test_a_restored_backup_is_erased_again_when_opened(instance: Instance, tmp_path: Path) -> None:
    person_id = survivor(instance)
    erasure.scrub(instance.engine)
    database = Path(str(instance.engine.url.database))
    backup = tmp_path / "backup.db"
    shutil.copyfile(database, backup)
    erasure.erase(instance, person_id, grounds="survivor-request")
    instance.close()
    database.unlink()
    shutil.copyfile(backup, database)  # the old backup comes back, with the person's key in it
    reopened = startup.open_home(instance.settings)
    try:
        with pytest.raises(NotFound, match="erased under policy"):
            identity.reveal(reopened, person_id, "audit")
        wrapped_before = backup.read_bytes()
        with read_transaction(reopened.engine) as conn:
            assert conn.execute(select(tables.person_key.c.wrapped_key)).scalar_one() is None
        assert database.read_bytes() != wrapped_before
        assert all(f.ok for f in verification.run(reopened))
    finally:
        reopened.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_after_a_shred_postgresql_files_hold_no_key(instance: Instance) -> None:
    """The server's own files for the vault's tables, read after a checkpoint, before and after."""
    person_id = survivor(instance)

    def table_files() -> bytes:
        with instance.engine.connect() as conn:
            conn.exec_driver_sql("CHECKPOINT")
            home = Path(conn.exec_driver_sql("SHOW data_directory").scalar_one())
            paths = [
                conn.exec_driver_sql(f"SELECT pg_relation_filepath('{name}')").scalar_one()
                for name in ("person_key", "person_identity")
            ]
        return b"".join((home / path).read_bytes() for path in paths)

    with read_transaction(instance.engine) as conn:
        wrapped = conn.execute(select(tables.person_key.c.wrapped_key)).scalar_one()
    assert wrapped in table_files()  # the search can find it
    erasure.erase(instance, person_id, grounds="safety-emergency")
    assert wrapped not in table_files()


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_a_face_photo_is_sealed_revealed_with_a_reason_and_erased(instance: Instance) -> None:
    person_id = survivor(instance)
    identity.set_photo(instance, person_id, PNG)
    with read_transaction(instance.engine) as conn:
        sealed = conn.execute(select(tables.person_identity.c.photo_sealed)).scalar_one()
    assert PNG not in sealed
    assert identity.reveal_photo(instance, person_id, "identify at trial") == (PNG, "image/png")
    assert '"action":"reveal-photo"' in log_text(instance).replace(" ", "")
    for bad, message in ((b"", "empty"), (b"%PDF-1.4 not a face", "not an image")):
        with pytest.raises(InvalidInput, match=message):
            identity.set_photo(instance, person_id, bad)
    erasure.erase(instance, person_id, grounds="survivor-request")
    with read_transaction(instance.engine) as conn:
        assert conn.execute(select(tables.person_identity.c.photo_sealed)).scalar_one() is None
    with pytest.raises(NotFound):
        identity.reveal_photo(instance, person_id, "audit")


def test_the_api_seals_and_reveals_a_photo(instance: Instance) -> None:
    person_id = survivor(instance)
    app = create_app(instance, api_token=OPERATOR)
    with TestClient(app, headers={"Authorization": f"Bearer {OPERATOR}"}) as http:
        assert http.put(f"/people/{person_id}/photo", content=PNG).status_code == 200
        refused = http.put(f"/people/{person_id}/photo", content=b"plain text")
        assert refused.status_code == 422 and "not an image" in refused.text
        shown = http.get(f"/people/{person_id}/photo", params={"purpose": "identification"})
        assert shown.status_code == 200 and shown.content == PNG
        assert shown.headers["content-type"] == "image/png"
        assert http.get(f"/people/{person_id}/photo").status_code == 422  # no purpose


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_restored_postgresql_backup_is_erased_again(
    instance: Instance, pg_admin: psycopg.Connection
) -> None:
    """A real copy of the database (CREATE DATABASE … TEMPLATE) taken before the erasure, restored after."""
    person_id = survivor(instance)
    name = instance.engine.url.database
    backup = f"{name}_backup"
    instance.engine.dispose()
    pg_admin.execute(f'CREATE DATABASE "{backup}" TEMPLATE "{name}"')
    try:
        erasure.erase(instance, person_id, grounds="safety-emergency")
        instance.close()
        pg_admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        pg_admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{backup}"')  # the restore
        reopened = startup.open_home(instance.settings)
        try:
            with pytest.raises(NotFound, match="erased under policy"):
                identity.reveal(reopened, person_id, "audit")
            assert all(f.ok for f in verification.run(reopened))
        finally:
            reopened.close()
    finally:
        pg_admin.execute(f'DROP DATABASE IF EXISTS "{backup}" WITH (FORCE)')
