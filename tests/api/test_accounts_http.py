"""Accounts over HTTP: sessions with CSRF, TOTP, API tokens, rate limits, per-case access, access logging.

Every listed abuse from the web-application issue has a test here: a missing or wrong CSRF token, an expired
session, a revoked token, 50 wrong passwords in a row, a viewer trying to edit, and a user of case A asking
for an item of case B by ID.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from testament.accounts import accounts, credentials
from testament.api.app import create_app
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.domain.custody import CustodyEventType
from testament.storage.engine import read_transaction, write_transaction
from testament.storage.tables import (
    agent,
    api_token,
    custody_event,
    evidence_item,
    user_account,
    web_session,
)
from tests.http_server import served

OPERATOR = "operator-token-0123456789"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
BASE = "http://127.0.0.1"  # a loopback address: the session cookie is not Secure-only here


@pytest.fixture
def app(instance: Instance) -> Any:
    return create_app(instance, api_token=OPERATOR)


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    """Two cases with an incident and an evidence item each, and users with roles on case A only."""
    ids: dict[str, Any] = {}
    for name in ("Case A", "Case B"):
        cases.create_case(instance, name)
        ids[name] = incidents.create(
            instance, name, incidents.IncidentInput(title=f"Shelling in {name}", date="2022-03-01")
        )
        folder = tmp_path / name.replace(" ", "")
        folder.mkdir()
        (folder / "photo.jpg").write_bytes(os.urandom(5000) + name.encode())
        report = ingest.ingest(instance, [folder], case_name=name)
        ids[f"item {name}"] = report.results[0].item_id
        ids[f"bytes {name}"] = (folder / "photo.jpg").read_bytes()
    for username, role in (("vera", "viewer"), ("dmytro", "documenter"), ("anna", "analyst")):
        ids[username] = accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, "Case A", role)
    ids["admin"] = accounts.create_user(instance, "root-admin", PASSWORD, admin=True)
    return ids


def _client(app: Any) -> TestClient:
    return TestClient(app, base_url=BASE)


def _login(app: Any, username: str, totp: str | None = None) -> tuple[TestClient, str]:
    http = _client(app)
    body: dict[str, Any] = {"username": username, "password": PASSWORD}
    if totp is not None:
        body["totp"] = totp
    response = http.post("/auth/login", json=body)
    assert response.status_code == 200, response.json()
    return http, response.json()["csrf_token"]


# Sessions and CSRF


def test_sign_in_sets_a_strict_http_only_cookie(app: Any, world: dict[str, Any]) -> None:
    http = _client(app)
    response = http.post("/auth/login", json={"username": "vera", "password": PASSWORD})
    cookie = response.headers["set-cookie"].lower()
    assert "testament_session=" in cookie
    assert "httponly" in cookie and "samesite=strict" in cookie
    me = http.get("/auth/me").json()
    assert me["via"] == "session" and me["user"]["username"] == "vera"
    assert list(me["user"]["roles"].values()) == ["viewer"]  # by case ID


def test_cookie_is_secure_when_not_on_a_loopback_address(app: Any, world: dict[str, Any]) -> None:
    http = TestClient(app, base_url="https://testament.example.org")
    response = http.post("/auth/login", json={"username": "vera", "password": PASSWORD})
    assert "secure" in response.headers["set-cookie"].lower()


def test_a_change_without_the_csrf_token_is_refused(app: Any, world: dict[str, Any]) -> None:
    http, csrf = _login(app, "dmytro")
    body = {"case": "Case A", "title": "Strike on a school", "date": "2022-04-02"}
    missing = http.post("/incidents", json=body)
    assert missing.status_code == 403 and "CSRF" in missing.json()["error"]
    wrong = http.post("/incidents", json=body, headers={"X-CSRF-Token": "not-it"})
    assert wrong.status_code == 403
    right = http.post("/incidents", json=body, headers={"X-CSRF-Token": csrf})
    assert right.status_code == 201


def test_signing_out_ends_the_session(app: Any, world: dict[str, Any]) -> None:
    http, csrf = _login(app, "vera")
    cookie = http.cookies.get("testament_session")
    assert http.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    replay = _client(app)
    replay.cookies.set("testament_session", cookie or "")
    assert replay.get("/auth/me").status_code == 401


def test_an_expired_or_idle_session_is_refused(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    long_ago = datetime.now(UTC) - credentials.SESSION_LIFETIME - timedelta(minutes=1)
    old = credentials.open_session(instance, world["vera"], now=long_ago)
    http = _client(app)
    http.cookies.set("testament_session", old.token)
    response = http.get("/cases")
    assert response.status_code == 401 and "sign in again" in response.json()["error"]
    idle = credentials.open_session(
        instance, world["vera"], now=datetime.now(UTC) - credentials.SESSION_IDLE - timedelta(1)
    )
    http.cookies.set("testament_session", idle.token)
    assert http.get("/cases").status_code == 401


def test_only_a_hash_of_the_session_is_stored(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http, _ = _login(app, "vera")
    token = http.cookies.get("testament_session") or ""
    with read_transaction(instance.engine) as conn:
        stored = set(conn.execute(select(web_session.c.token_hash)).scalars())
    assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert token not in stored


def test_no_credentials_and_a_bad_scheme_get_401(app: Any, world: dict[str, Any]) -> None:
    http = _client(app)
    assert http.get("/cases").status_code == 401
    assert http.get("/cases", headers={"Authorization": "Basic abc"}).status_code == 401


# Passwords, lockout and rate limiting


def test_fifty_wrong_passwords_never_get_in(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = _client(app)
    statuses = [
        http.post("/auth/login", json={"username": "vera", "password": f"guess {n}"}).status_code
        for n in range(50)
    ]
    assert 200 not in statuses
    assert set(statuses[:10]) == {403}  # a wrong password is refused
    assert statuses[-1] == 429  # then the address is slowed down
    limited = http.post("/auth/login", json={"username": "vera", "password": PASSWORD})
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    # From a fresh address the right password is still refused: ten failures locked the account.
    with pytest.raises(Exception, match="wrong"):
        accounts.authenticate(instance, "vera", PASSWORD)
    with read_transaction(instance.engine) as conn:
        locked = conn.execute(
            select(user_account.c.locked_until).where(user_account.c.id == world["vera"])
        ).scalar()
    assert locked is not None


def test_a_wrong_login_never_says_which_part_was_wrong(app: Any, world: dict[str, Any]) -> None:
    http = _client(app)
    unknown = http.post("/auth/login", json={"username": "nobody", "password": PASSWORD}).json()
    wrong = http.post("/auth/login", json={"username": "vera", "password": "nope nope nope"}).json()
    assert unknown["error"] == wrong["error"]


def test_malformed_login_json_names_the_field(app: Any, world: dict[str, Any]) -> None:
    http = _client(app)
    response = http.post(
        "/auth/login", content=b'{"username": "vera"', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    missing = http.post("/auth/login", json={"username": "vera"})
    assert missing.status_code == 422 and "password" in missing.json()["errors"]


# TOTP


def test_totp_is_needed_once_enrolled_and_a_code_works_only_once(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    enrolment = credentials.enrol_totp(instance, "anna")
    assert enrolment.uri.startswith("otpauth://totp/")
    http = _client(app)
    without = http.post("/auth/login", json={"username": "anna", "password": PASSWORD})
    assert without.status_code == 403 and "totp" in without.json()["errors"]
    code = pyotp.TOTP(enrolment.secret).now()
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    bad = http.post("/auth/login", json={"username": "anna", "password": PASSWORD, "totp": wrong})
    assert bad.status_code == 403
    http2, _ = _login(app, "anna", totp=code)
    assert http2.get("/auth/me").json()["user"]["username"] == "anna"
    replay = _client(app).post(
        "/auth/login", json={"username": "anna", "password": PASSWORD, "totp": code}
    )
    assert replay.status_code == 403 and "already used" in replay.json()["error"]


def test_an_admin_can_require_a_second_factor(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    credentials.require_totp(instance, "vera")
    refused = _client(app).post("/auth/login", json={"username": "vera", "password": PASSWORD})
    assert refused.status_code == 403 and "second factor" in refused.json()["error"]
    enrolment = credentials.enrol_totp(instance, "vera")
    _login(app, "vera", totp=pyotp.TOTP(enrolment.secret).now())


@pytest.mark.parametrize("offset", [-30, 0, 30])
def test_totp_accepts_one_step_of_clock_drift(offset: int) -> None:
    secret = pyotp.random_base32()
    now = datetime(2026, 11, 28, 12, 0, 15, tzinfo=UTC)
    code = pyotp.TOTP(secret).at(now + timedelta(seconds=offset))
    step = credentials.totp_step(secret, code, None, now)
    assert step == pyotp.TOTP(secret).timecode(now + timedelta(seconds=offset))
    assert credentials.totp_step(secret, code, step, now) is None  # used once, never again


def test_totp_refuses_codes_two_steps_away() -> None:
    secret = pyotp.random_base32()
    now = datetime(2026, 11, 28, 12, 0, 15, tzinfo=UTC)
    for offset in (-90, 90):
        assert (
            credentials.totp_step(
                secret, pyotp.TOTP(secret).at(now + timedelta(seconds=offset)), None, now
            )
            is None
        )
    assert credentials.totp_step(secret, "12345", None, now) is None
    assert credentials.totp_step(secret, "abcdef", None, now) is None


# API tokens


def test_tokens_are_scoped_and_revocable(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    _, read_secret = credentials.create_token(instance, "dmytro", "dashboard", scope="read")
    write_id, write_secret = credentials.create_token(instance, "dmytro", "sync", scope="write")
    reader = TestClient(app, headers={"Authorization": f"Bearer {read_secret}"})
    writer = TestClient(app, headers={"Authorization": f"Bearer {write_secret}"})
    body = {"case": "Case A", "title": "Drone strike", "date": "2022-05"}
    assert reader.get("/incidents", params={"case": "Case A"}).status_code == 200
    refused = reader.post("/incidents", json=body)
    assert refused.status_code == 403 and "only read" in refused.json()["error"]
    assert writer.post("/incidents", json=body).status_code == 201  # no CSRF: not a cookie
    credentials.revoke_token(instance, write_id)
    revoked = writer.get("/cases")
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]


def test_an_expired_token_is_refused(app: Any, instance: Instance, world: dict[str, Any]) -> None:
    token_id, secret = credentials.create_token(instance, "vera", "old", days=1)
    with write_transaction(instance.engine) as conn:
        conn.execute(
            update(api_token)
            .where(api_token.c.id == token_id)
            .values(expires_at="2020-01-01T00:00:00.000000Z")
        )
    http = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    assert http.get("/cases").status_code == 401


def test_users_make_and_revoke_their_own_tokens(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http, csrf = _login(app, "vera")
    made = http.post(
        "/auth/tokens", json={"name": "laptop", "scope": "read"}, headers={"X-CSRF-Token": csrf}
    )
    assert made.status_code == 201 and made.json()["token"].startswith("tst_")
    listed = http.get("/auth/tokens").json()["items"]
    assert [t["name"] for t in listed] == ["laptop"] and "token" not in listed[0]
    other_id, _ = credentials.create_token(instance, "dmytro", "not vera's")
    gone = http.delete(f"/auth/tokens/{other_id}", headers={"X-CSRF-Token": csrf})
    assert gone.status_code == 404
    mine = http.delete(f"/auth/tokens/{made.json()['id']}", headers={"X-CSRF-Token": csrf})
    assert mine.status_code == 200
    with read_transaction(instance.engine) as conn:
        stored = set(conn.execute(select(api_token.c.token_hash)).scalars())
    assert made.json()["token"] not in stored


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "scope": "read"}, "name"),
        ({"name": "x", "scope": "admin"}, "scope"),
        ({"name": "x", "days": 0}, "days"),
    ],
)
def test_bad_token_requests_name_the_field(
    app: Any, world: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    http, csrf = _login(app, "vera")
    response = http.post("/auth/tokens", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 422 and field in response.json()["errors"]


# Per-case access


def test_a_viewer_cannot_edit(app: Any, world: dict[str, Any]) -> None:
    http, csrf = _login(app, "vera")
    incident_id = world["Case A"]
    assert http.get(f"/incidents/{incident_id}").status_code == 200
    response = http.patch(
        f"/incidents/{incident_id}", json={"title": "changed"}, headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 403 and "documenter" in (response.json()["hint"] or "")


def test_another_cases_records_look_like_they_do_not_exist(app: Any, world: dict[str, Any]) -> None:
    http, csrf = _login(app, "anna")
    absent = "00000000-0000-7000-8000-000000000000"
    pairs = [
        (f"/incidents/{world['Case B']}", f"/incidents/{absent}"),
        (f"/evidence/{world['item Case B']}?purpose=review", f"/evidence/{absent}?purpose=review"),
        (
            f"/evidence/{world['item Case B']}/content?purpose=review",
            f"/evidence/{absent}/content?purpose=review",
        ),
        (f"/records/incident/{world['Case B']}/versions", f"/records/incident/{absent}/versions"),
    ]
    for hidden, missing in pairs:
        a, b = http.get(hidden), http.get(missing)
        assert a.status_code == b.status_code == 404
        assert {k: v for k, v in a.json().items() if k != "where"} == {
            k: v for k, v in b.json().items() if k != "where"
        }
    by_name = http.get("/incidents", params={"case": "Case B"})
    nowhere = http.get("/incidents", params={"case": "Case Z"})
    assert by_name.status_code == nowhere.status_code == 404
    assert by_name.json()["error"] == nowhere.json()["error"]
    assert by_name.json()["hint"] == nowhere.json()["hint"]
    edit = http.patch(
        f"/incidents/{world['Case B']}", json={"title": "x"}, headers={"X-CSRF-Token": csrf}
    )
    assert edit.status_code == 404


def test_lists_and_search_show_only_visible_cases(app: Any, world: dict[str, Any]) -> None:
    http, _ = _login(app, "vera")
    assert [c["name"] for c in http.get("/cases").json()["items"]] == ["Case A"]
    hits = http.get("/search", params={"q": "shelling"}).json()["items"]
    assert hits and all("Case B" not in str(h) for h in hits)
    admin, _ = _login(app, "root-admin")
    assert len(admin.get("/cases").json()["items"]) == 2
    assert len(admin.get("/search", params={"q": "shelling"}).json()["items"]) == 2


def test_a_user_without_roles_sees_nothing(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    accounts.create_user(instance, "newcomer", PASSWORD)
    http, _ = _login(app, "newcomer")
    assert http.get("/cases").json()["items"] == []
    assert http.get("/search", params={"q": "shelling"}).json()["items"] == []


def test_writes_are_the_accounts_own_in_the_custody_log(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http, csrf = _login(app, "dmytro")
    made = http.post(
        "/incidents",
        json={"case": "Case A", "title": "Strike on a water plant", "date": "2022-06"},
        headers={"X-CSRF-Token": csrf},
    )
    incident_id = made.json()["incident"]["id"]
    with read_transaction(instance.engine) as conn:
        row = conn.execute(
            select(agent.c.kind, agent.c.name)
            .select_from(custody_event.join(agent, custody_event.c.agent_id == agent.c.id))
            .where(custody_event.c.detail.contains(incident_id))
        ).first()
    assert row is not None and (row.kind, row.name) == ("user", str(world["dmytro"]))


def test_a_coordinator_who_creates_a_case_coordinates_it(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    accounts.grant_role(instance, "anna", "Case B", "coordinator")
    http, csrf = _login(app, "anna")
    made = http.post("/cases", json={"name": "Case C"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    assert accounts.describe(instance, world["anna"]).roles["Case C"] == "coordinator"
    viewer, vcsrf = _login(app, "vera")
    assert (
        viewer.post("/cases", json={"name": "Case D"}, headers={"X-CSRF-Token": vcsrf}).status_code
        == 403
    )


def test_only_administrators_load_the_gazetteer(app: Any, world: dict[str, Any]) -> None:
    http, csrf = _login(app, "anna")
    response = http.post(
        "/gazetteer/areas",
        params={"level": 1, "name_field": "NAME_1"},
        content=b"{}",
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 403


# Access logging


def _access_events(instance: Instance, item_id: str) -> list[dict[str, Any]]:
    import json

    with read_transaction(instance.engine) as conn:
        rows = conn.execute(
            select(custody_event.c.detail, custody_event.c.agent_id).where(
                custody_event.c.item_id == item_id,
                custody_event.c.event_type == CustodyEventType.ACCESS.value,
            )
        ).all()
    return [json.loads(r.detail) | {"agent": r.agent_id} for r in rows]


def test_opening_an_item_needs_a_purpose_and_is_logged(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http, _ = _login(app, "vera")
    item_id = world["item Case A"]
    missing = http.get(f"/evidence/{item_id}")
    assert missing.status_code == 422 and "purpose" in missing.json()["errors"]
    assert _access_events(instance, item_id) == []
    opened = http.get(f"/evidence/{item_id}", headers={"X-Testament-Purpose": "verify geolocation"})
    assert opened.status_code == 200 and opened.json()["access_log_index"] >= 0
    (event,) = _access_events(instance, item_id)
    assert (event["action"], event["purpose"]) == ("view", "verify geolocation")


def test_a_download_streams_the_exact_bytes_and_is_logged(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http, _ = _login(app, "vera")
    item_id = world["item Case A"]
    response = http.get(f"/evidence/{item_id}/content", params={"purpose": "prepare exhibit"})
    assert response.status_code == 200
    assert response.content == world["bytes Case A"]
    import base64

    digest = base64.b64encode(hashlib.sha256(response.content).digest()).decode()
    assert response.headers["repr-digest"] == f"sha-256=:{digest}:"
    # Named as it was ingested, for those who may read the case (docs/web.md, "Names as shown").
    assert 'filename="photo.jpg"' in response.headers["content-disposition"]
    (event,) = _access_events(instance, item_id)
    assert (event["action"], event["purpose"]) == ("download", "prepare exhibit")


def test_a_damaged_stored_copy_never_downloads_complete(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    item_id = world["item Case A"]
    digest = hashlib.sha256(world["bytes Case A"]).hexdigest()
    stored = next(p for p in (instance.settings.vault_dir / "objects").rglob(digest))
    stored.chmod(0o600)
    data = bytearray(stored.read_bytes())
    data[-1] ^= 0xFF
    stored.write_bytes(bytes(data))
    size = len(world["bytes Case A"])
    with served(app) as base:
        http = httpx.Client(base_url=base)
        http.post("/auth/login", json={"username": "vera", "password": PASSWORD})
        received = bytearray()
        with (
            pytest.raises(httpx.RemoteProtocolError),
            http.stream(
                "GET", f"/evidence/{item_id}/content", params={"purpose": "check"}
            ) as response,
        ):
            assert response.headers["content-length"] == str(size)
            for chunk in response.iter_raw():
                received.extend(chunk)
    assert len(received) < size  # the connection broke before the end


def test_viewing_a_sensitive_incident_is_logged(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    import json

    sensitive = incidents.create(
        instance,
        "Case A",
        incidents.IncidentInput(
            title="Detention site", date="2022-03", sensitivity=["sexual-violence"]
        ),
    )
    http, _ = _login(app, "vera")
    assert http.get(f"/incidents/{sensitive}").status_code == 422
    assert http.get(f"/incidents/{sensitive}", params={"purpose": "case review"}).status_code == 200
    plain = http.get(f"/incidents/{world['Case A']}")  # no labels: no purpose asked, nothing logged
    assert plain.status_code == 200 and plain.json()["access_log_index"] is None
    with read_transaction(instance.engine) as conn:
        details = [
            json.loads(d)
            for d in conn.execute(
                select(custody_event.c.detail).where(custody_event.c.event_type == "access")
            ).scalars()
        ]
    assert [(d["id"], d["purpose"]) for d in details] == [(sensitive, "case review")]


@pytest.fixture(autouse=True)
def _no_leftover_acting_user() -> Iterator[None]:
    from testament.custody.instance import acting_user

    yield
    assert acting_user() is None


def test_the_custody_timeline_and_a_proof_checked_offline(
    app: Any, world: dict[str, Any], tmp_path: Path
) -> None:
    import subprocess
    import sys

    http, _ = _login(app, "vera")
    item_id = world["item Case A"]
    http.get(f"/evidence/{item_id}", params={"purpose": "review the chain"})
    events = http.get(f"/evidence/{item_id}/custody").json()["items"]
    assert events[0]["event_type"] == "ingestion"
    assert events[-1]["event_type"] == "access" and events[-1]["agent"].startswith("agent:")
    assert [e["log_index"] for e in events] == sorted(e["log_index"] for e in events)
    proof = http.get(f"/evidence/{item_id}/proof")
    assert proof.headers["content-disposition"].endswith('.tlog-proof"')
    (tmp_path / "item.tlog-proof").write_text(proof.text)
    (tmp_path / "entry.json").write_bytes(http.get(f"/evidence/{item_id}/proof/entry").content)
    key = http.get("/log/key").text.strip()
    checked = subprocess.run(
        [sys.executable, "-m", "testament.cli.main", "log", "verify-proof",
         str(tmp_path / "item.tlog-proof"), "--entry", str(tmp_path / "entry.json"), "--key", key],
        capture_output=True, text=True, check=False, env={"PATH": os.environ.get("PATH", "")},
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("OK: the entry is in")
    # Another case's item: the same 404 as an item that does not exist.
    assert http.get(f"/evidence/{world['item Case B']}/proof").status_code == 404
    assert http.get(f"/evidence/{world['item Case B']}/custody").status_code == 404


# Evidence upload


def test_an_upload_is_ingested_with_its_custody(
    app: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http, csrf = _login(app, "dmytro")
    data = os.urandom(300_000)
    response = http.post(
        "/cases/Case A/evidence",
        params={"filename": "../../etc/фото\x07 1.jpg", "source": "sent by a partner"},
        content=data,
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 201, response.json()
    item = response.json()["item"]
    assert item["sha256"] == hashlib.sha256(data).hexdigest() and item["status"] == "stored"
    # No directories; the name kept byte for byte, its control character shown (docs/web.md).
    assert (item["name"], item["shown_name"]) == ("фото\x07 1.jpg", "фото[U+0007] 1.jpg")
    assert b"".join(instance.blobs.read(item["sha256"])) == data
    with read_transaction(instance.engine) as conn:
        row = conn.execute(
            select(evidence_item.c.source_path, evidence_item.c.original_name).where(
                evidence_item.c.id == item["id"]
            )
        ).one()
    assert (row.source_path, row.original_name) == ("upload:фото-1.jpg", "фото\x07 1.jpg")
    again = http.post(
        "/cases/Case A/evidence",
        params={"filename": "фото 1.jpg"},
        content=data,
        headers={"X-CSRF-Token": csrf},
    )
    assert again.json()["item"]["status"] == "already-ingested"


def test_an_upload_over_the_limit_gets_413_and_leaves_nothing(
    instance: Instance, world: dict[str, Any]
) -> None:
    from dataclasses import replace

    instance.settings = replace(instance.settings, max_upload_bytes=100_000)
    app = create_app(instance, api_token=OPERATOR)
    http, csrf = _login(app, "dmytro")
    before = sorted(instance.blobs.digests())

    def body() -> Iterator[bytes]:  # no Content-Length: the limit bites as the bytes arrive
        for _ in range(30):
            yield os.urandom(10_000)

    streamed = http.post("/cases/Case A/evidence", content=body(), headers={"X-CSRF-Token": csrf})
    assert streamed.status_code == 413 and "larger than" in streamed.json()["error"]
    declared = http.post(
        "/cases/Case A/evidence", content=os.urandom(200_000), headers={"X-CSRF-Token": csrf}
    )
    assert declared.status_code == 413
    assert sorted(instance.blobs.digests()) == before
    assert list((instance.settings.vault_dir / "tmp").iterdir()) == []
    operator = TestClient(app, headers={"Authorization": f"Bearer {OPERATOR}"})
    imported = operator.post("/cases/Case A/import/timemap", content=b"[" + b" " * 200_000 + b"]")
    assert imported.status_code == 413  # imports are uploads too


def test_a_viewer_cannot_upload_and_an_empty_body_is_refused(
    app: Any, world: dict[str, Any]
) -> None:
    viewer, vcsrf = _login(app, "vera")
    refused = viewer.post("/cases/Case A/evidence", content=b"x", headers={"X-CSRF-Token": vcsrf})
    assert refused.status_code == 403
    hidden = viewer.post("/cases/Case B/evidence", content=b"x", headers={"X-CSRF-Token": vcsrf})
    assert hidden.status_code == 404
    documenter, csrf = _login(app, "dmytro")
    empty = documenter.post("/cases/Case A/evidence", content=b"", headers={"X-CSRF-Token": csrf})
    assert empty.status_code == 422 and "body" in empty.json()["errors"]
