"""Schemathesis sends requests generated from the OpenAPI document; none may produce a server error.

It runs as the operator (who may do everything, so every route's code is reached) against a home with a
case, an incident and an evidence item, so generated IDs and names sometimes hit real records.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from testament.api.app import create_app
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import incidents
from tests.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY
OPERATOR = "operator-token-for-schemathesis"
EXAMPLES = int(
    os.environ.get("TESTAMENT_SCHEMATHESIS_EXAMPLES", "25")
)  # per operation; about 70 operations


@pytest.fixture
def api(instance: Instance, tmp_path: Path) -> Any:
    cases.create_case(instance, "C")
    incidents.create(instance, "C", incidents.IncidentInput(title="Strike", date="2022-03"))
    (tmp_path / "f.txt").write_bytes(b"evidence")
    ingest.ingest(instance, [tmp_path / "f.txt"], case_name="C")
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(instance, api_token=OPERATOR))


def test_no_generated_request_gets_a_server_error(api: Any) -> None:
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) > 50
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call(headers={"Authorization": f"Bearer {OPERATOR}"})
            statuses.append(response.status_code)
            assert response.status_code < 500, (
                case.method,
                case.formatted_path,
                response.text[:300],
            )
            kind = str(response.headers.get("content-type"))  # a list of values here
            if response.status_code >= 400 and "application/json" in kind:
                body = response.json()
                assert body["ok"] is False and body["status"] == response.status_code

        try:
            check()
        except AssertionError as failure:
            failures.append(str(failure))
    assert failures == []
    # The requests reached the code: some succeeded, some were refused as invalid or not found.
    assert len(statuses) > 10 * len(operations)
    assert {200, 404, 422} <= set(statuses)
