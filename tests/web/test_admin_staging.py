"""The administration page reports partial files a crash left in the vault's staging area."""

from __future__ import annotations

import os
import subprocess
from typing import Any

from fastapi.testclient import TestClient

from testament.accounts import accounts
from testament.custody.instance import Instance
from tests.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password


def _admin(site: Any, instance: Instance) -> TestClient:
    accounts.create_user(instance, "ops", PASSWORD, admin=True)
    http = TestClient(site, base_url="http://127.0.0.1", follow_redirects=False)
    response = http.post("/login", data={"username": "ops", "password": PASSWORD})
    assert response.status_code == 303, response.text
    return http


def test_the_admin_page_reports_a_partial_upload_in_both_languages(
    site: Any, instance: Instance
) -> None:
    http = _admin(site, instance)
    assert "testament vault clean-tmp" not in http.get("/admin").text
    writer = subprocess.Popen(["true"])
    writer.wait()  # the writer is gone: what it left is stale
    partial = instance.settings.vault_dir / "tmp" / f"{writer.pid}.5f3a9c1e0b7d2468.blob"
    partial.write_bytes(os.urandom(12_345))
    page = http.get("/admin").text
    assert "Partial files left in the vault by a crash" in page and "1, 12,345 bytes" in page
    assert "testament vault clean-tmp --yes" in page
    ukrainian = http.get("/admin", headers={"Accept-Language": "uk"}).text
    assert "Часткові файли, які залишив у сховищі збій" in ukrainian
    assert partial.exists()  # showing it removes nothing
