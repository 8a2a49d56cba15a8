"""Two-factor sign-in set up and removed by its owner in Settings (docs/accounts.md): the password again,
a QR code drawn here, a confirming code, recovery codes shown once and spent once."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from testament.accounts import accounts, credentials
from testament.custody.instance import Instance
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event, recovery_code, user_account
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import SETUP

pytestmark = SQLITE_ONLY

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password


def _browser(site: Any) -> TestClient:
    return TestClient(site, base_url="http://127.0.0.1", follow_redirects=False)


def _sign_in(site: Any, username: str, code: str = "") -> tuple[TestClient, Any]:
    http = _browser(site)
    answer = http.post("/login", data={"username": username, "password": PASSWORD, "totp": code})
    return http, answer


def _csrf(http: TestClient) -> dict[str, str]:
    found = re.search(r'data-csrf="([^"]+)"', http.get("/settings").text)
    assert found is not None
    return {"X-CSRF-Token": found.group(1)}


def _enrol(http: TestClient) -> tuple[str, list[str]]:
    """Set up two-factor sign-in as the page leads: the secret shown and the recovery codes."""
    headers = _csrf(http)
    shown = http.post("/settings/totp", data={"password": PASSWORD}, headers=headers)
    assert shown.status_code == 200, shown.text
    secret = re.search(r'<code class="digest secret">([A-Z2-7]+)</code>', shown.text)
    assert secret is not None and "<svg" in shown.text
    code = pyotp.TOTP(secret.group(1)).now()
    done = http.post("/settings/totp/confirm", data={"code": code}, headers=headers)
    assert done.status_code == 200, done.text
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    return secret.group(1), codes


def _changes(instance: Instance) -> list[str]:
    with read_transaction(instance.engine) as conn:
        rows = conn.execute(
            select(custody_event.c.detail).where(
                custody_event.c.event_type == "metadata modification"
            )
        ).scalars()
        return [json.loads(row).get("change", "") for row in rows]


@pytest.fixture
def wanda(instance: Instance) -> int:
    return accounts.create_user(instance, "wanda", PASSWORD)


def test_a_user_sets_up_two_factor_sign_in_from_settings(
    site: Any, instance: Instance, wanda: int
) -> None:
    http, _ = _sign_in(site, "wanda")
    headers = _csrf(http)
    page = http.get("/settings").text
    assert 'action="/settings/totp"' in page and "Set up two-factor sign-in" in page

    wrong = http.post("/settings/totp", data={"password": "not my password"}, headers=headers)
    assert (
        wrong.status_code == 422 and "password is wrong" in wrong.text and "<svg" not in wrong.text
    )

    shown = http.post("/settings/totp", data={"password": PASSWORD}, headers=headers)
    assert shown.status_code == 200
    assert re.search(r'<svg width="\d+" height="\d+" class="segno">', shown.text)  # drawn here
    secret = re.search(r'<code class="digest secret">([A-Z2-7]+)</code>', shown.text)
    assert secret is not None
    # Not in force until confirmed: signing in still needs no code.
    assert _sign_in(site, "wanda")[1].status_code == 303

    refused = http.post("/settings/totp/confirm", data={"code": "000000"}, headers=headers)
    assert refused.status_code == 422 and "does not match" in refused.text
    assert secret.group(1) in refused.text  # the same secret, to try again
    done = http.post(
        "/settings/totp/confirm", data={"code": pyotp.TOTP(secret.group(1)).now()}, headers=headers
    )
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.text)
    assert len(codes) == credentials.RECOVERY_CODES == len(set(codes))
    assert "shown only this once" in done.text
    assert accounts.describe(instance, wanda).totp
    assert _changes(instance) == ["totp-enrolled"]
    with read_transaction(instance.engine) as conn:
        stored = conn.execute(select(recovery_code.c.code_hash)).scalars().all()
        pending = conn.execute(select(user_account.c.totp_pending)).scalar_one()
    assert len(stored) == 10 and not set(stored) & set(codes) and pending is None
    assert not [code for code in codes if code in http.get("/settings").text]  # shown once

    # Signing in now needs the code; a fresh one works, and so does a recovery code, once.
    assert _sign_in(site, "wanda")[1].status_code == 403
    later = pyotp.TOTP(secret.group(1)).at(datetime.now(UTC) + timedelta(seconds=30))
    assert _sign_in(site, "wanda", later)[1].status_code == 303
    assert _sign_in(site, "wanda", codes[0].upper())[1].status_code == 303
    assert _sign_in(site, "wanda", codes[0])[1].status_code == 403
    assert "Recovery codes left: 9." in http.get("/settings").text


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_the_administrator_sets_up_two_factor_too(site: Any, instance: Instance, lang: str) -> None:
    http = _browser(site)
    http.cookies.set("testament_lang", lang)
    made = http.post("/setup", data={"token": SETUP, "username": "ops", "password": PASSWORD})
    assert made.status_code == 303
    heading = "Двофакторний вхід" if lang == "uk" else "Two-factor sign-in"
    assert heading in http.get("/settings").text
    _, codes = _enrol(http)
    assert len(codes) == 10
    assert accounts.describe(instance, accounts.list_users(instance)[0].id).totp


def test_removing_two_factor_needs_the_password_and_a_code(
    site: Any, instance: Instance, wanda: int
) -> None:
    http, _ = _sign_in(site, "wanda")
    secret, codes = _enrol(http)
    headers = _csrf(http)
    page = http.get("/settings").text
    assert 'action="/settings/totp/remove"' in page
    for fields in (
        {"password": "not my password", "code": codes[0]},
        {"password": PASSWORD, "code": ""},
        {"password": PASSWORD, "code": "123456"},
    ):
        refused = http.post("/settings/totp/remove", data=fields, headers=headers)
        assert refused.status_code == 422, fields
        assert accounts.describe(instance, wanda).totp
    removed = http.post(
        "/settings/totp/remove", data={"password": PASSWORD, "code": codes[1]}, headers=headers
    )
    assert removed.status_code == 200 and "Two-factor sign-in is off." in removed.text
    assert not accounts.describe(instance, wanda).totp
    assert _changes(instance) == ["totp-enrolled", "totp-removed"]
    with read_transaction(instance.engine) as conn:
        assert conn.execute(select(recovery_code)).all() == []
    assert _sign_in(site, "wanda")[1].status_code == 303
    assert secret


def test_a_required_second_factor_cannot_be_removed(
    site: Any, instance: Instance, wanda: int
) -> None:
    http, _ = _sign_in(site, "wanda")
    _, codes = _enrol(http)
    credentials.require_totp(instance, "wanda")
    assert "cannot be turned off here" in http.get("/settings").text
    refused = http.post(
        "/settings/totp/remove", data={"password": PASSWORD, "code": codes[0]}, headers=_csrf(http)
    )
    assert refused.status_code == 422 and "requires a second factor" in refused.text
    assert accounts.describe(instance, wanda).totp


def test_wrong_passwords_in_settings_count_towards_the_lockout(
    site: Any, instance: Instance, wanda: int
) -> None:
    http, _ = _sign_in(site, "wanda")
    headers = _csrf(http)
    for _ in range(accounts.LOCKOUT_AFTER):
        http.post("/settings/totp", data={"password": "guess guess guess"}, headers=headers)
    assert _sign_in(site, "wanda")[1].status_code == 403
    # Nor does the right password start a setup while the account is locked.
    locked = http.post("/settings/totp", data={"password": PASSWORD}, headers=headers)
    assert locked.status_code == 422 and "<svg" not in locked.text


def test_setting_up_needs_the_csrf_token(site: Any, wanda: int) -> None:
    http, _ = _sign_in(site, "wanda")
    assert http.post("/settings/totp", data={"password": PASSWORD}).status_code == 403


def test_a_recovery_code_signs_in_over_the_api_once(site: Any, wanda: int) -> None:
    http, _ = _sign_in(site, "wanda")
    _, codes = _enrol(http)
    api = _browser(site)
    body = {"username": "wanda", "password": PASSWORD, "totp": codes[2]}
    assert api.post("/api/auth/login", json=body).status_code == 200
    again = _browser(site).post("/api/auth/login", json=body)
    assert again.status_code == 403 and again.json()["errors"] == {
        "totp": "wait for the next code and try again"
    }


def test_the_secret_and_the_recovery_codes_are_never_cached(site: Any, wanda: int) -> None:
    """Shown once means no copy in a cache: the settings pages are sent with no-store."""
    http, _ = _sign_in(site, "wanda")
    headers = _csrf(http)
    shown = http.post("/settings/totp", data={"password": PASSWORD}, headers=headers)
    secret = re.search(r'<code class="digest secret">([A-Z2-7]+)</code>', shown.text)
    assert secret is not None and shown.headers["cache-control"] == "no-store"
    done = http.post(
        "/settings/totp/confirm", data={"code": pyotp.TOTP(secret.group(1)).now()}, headers=headers
    )
    assert "shown only this once" in done.text and done.headers["cache-control"] == "no-store"
    assert http.get("/settings").headers["cache-control"] == "no-store"
