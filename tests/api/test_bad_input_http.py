"""Hostile bodies over a real socket: deep nesting, huge numbers, oversized text, truncated files.

Every answer is a 413 or 422 in the one error envelope, never a 500, and nothing is kept. The site serves
the API under ``/api`` as in production, so a failure that escaped the API would reach the pages' error
handler and show here as a 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from testament.custody.instance import Instance
from testament.domain.boundedjson import MAX_DEPTH
from testament.domain.text import LONG_CHARS, NAME_CHARS
from testament.http.limits import MAX_JSON_BODY_BYTES
from testament.server import create_server
from testament.storage import tables
from testament.storage.engine import read_transaction
from tests.conftest import SQLITE_ONLY
from tests.http_server import served

pytestmark = SQLITE_ONLY

OPERATOR = "operator-token-for-bad-input-tests"
SETUP = "setup-token-unused"
DEEP = b"[" * 100_000 + b"]" * 100_000
FIFTY_MB = 50 * 1024 * 1024
AREAS = "/gazetteer/areas?level=1&name_field=NAME_1"


@pytest.fixture
def http(instance: Instance) -> Iterator[httpx.Client]:
    site = create_server(instance, api_token=OPERATOR, setup_token=SETUP)
    with (
        served(site) as base,
        httpx.Client(
            base_url=f"{base}/api", headers={"Authorization": f"Bearer {OPERATOR}"}, timeout=120
        ) as client,
    ):
        assert client.post("/cases", json={"name": "C"}).status_code == 201
        yield client


def _refused(response: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["ok"] is False and body["status"] == status
    text = json.dumps(body)
    assert "Traceback" not in text and "internal error" not in text
    for word in words:
        assert word in text, text
    return body


def _rows(instance: Instance, table: Any) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.mark.parametrize("path", ["/cases/C/import/timemap", "/cases/C/import/jsonl", AREAS])
def test_json_nested_100000_deep_is_refused_on_every_upload(
    http: httpx.Client, instance: Instance, path: str
) -> None:
    _refused(http.post(path, content=DEEP), 422, f"more than {MAX_DEPTH} levels deep")
    assert _rows(instance, tables.incident) == _rows(instance, tables.admin_area) == 0


def test_a_json_body_nested_100000_deep_is_refused_before_it_is_decoded(
    http: httpx.Client,
) -> None:
    headers = {"Content-Type": "application/json"}
    body = b'{"case": "C", "title": ' + DEEP + b"}"
    _refused(http.post("/incidents", content=body, headers=headers), 422, "request body nests")
    shallow = {"case": "C", "title": "Strike", "description": "x"}
    assert http.post("/incidents", json=shallow).status_code == 201


def test_a_timemap_latitude_of_400_digits_is_refused(
    http: httpx.Client, instance: Instance
) -> None:
    event = '{"id": "E1", "date": "02/24/2022", "latitude": %s, "longitude": 30}'
    data = f"[{event % ('9' * 400)}]".encode()
    _refused(http.post("/cases/C/import/timemap", content=data), 422, "400 digits", "line 1")
    as_text = f"[{event % json.dumps('9' * 400)}]".encode()
    refused = _refused(http.post("/cases/C/import/timemap", content=as_text), 422, "latitude")
    assert "9" * 50 not in refused["error"]  # the value is described, not repeated
    assert _rows(instance, tables.incident) == 0


def test_a_50_mb_description_is_refused_with_413(http: httpx.Client, instance: Instance) -> None:
    body = {"case": "C", "title": "Strike", "description": "x" * FIFTY_MB}
    _refused(http.post("/incidents", json=body), 413, f"{MAX_JSON_BODY_BYTES:,} bytes")
    assert _rows(instance, tables.incident) == 0


@pytest.mark.parametrize(("field", "limit"), [("description", LONG_CHARS), ("title", NAME_CHARS)])
def test_text_past_its_field_limit_is_refused_with_422_naming_the_field(
    http: httpx.Client, instance: Instance, field: str, limit: int
) -> None:
    body = {"case": "C", "title": "Strike"} | {field: "ж" * (limit + 1)}
    refused = _refused(http.post("/incidents", json=body), 422)
    assert field in refused["errors"]
    assert http.post("/incidents", json=body | {field: "ж" * limit}).status_code == 201
    assert _rows(instance, tables.incident) == 1


def test_a_jsonl_line_past_a_field_limit_is_refused_naming_line_and_field(
    http: httpx.Client, instance: Instance
) -> None:
    assert http.post("/incidents", json={"case": "C", "title": "Strike"}).status_code == 201
    header, *lines = http.get("/cases/C/export", params={"format": "jsonl"}).text.splitlines()
    records = [json.loads(line) for line in lines]
    for record in records:
        if record["kind"] == "incident":
            record["data"]["description"] = "x" * (LONG_CHARS + 1)
    data = "\n".join([header, *map(json.dumps, records)]) + "\n"
    refused = _refused(http.post("/cases/C/import/jsonl", content=data.encode()), 422)
    assert "description" in refused["errors"] and ": line 2" in refused["where"]
    (shown,) = http.get("/incidents", params={"case": "C"}).json()["items"]
    assert not shown.get("description")


def test_a_truncated_upload_is_reported_as_truncated_naming_line_and_byte(
    http: httpx.Client, instance: Instance
) -> None:
    events = [{"id": f"E{n}", "date": "02/24/2022", "description": "Strike"} for n in range(3)]
    data = json.dumps(events, indent=1).encode()
    cut = data[: data.index(b'"E2"') + 2]
    refused = _refused(http.post("/cases/C/import/timemap", content=cut), 422, "truncated")
    assert refused["where"].endswith(f"byte {data.rindex(b'{')}")
    assert _rows(instance, tables.incident) == 0
