"""Each pipeline use case refuses an account without the role, in its own transaction, and writes
nothing when it does: reading what processing found needs the case's viewer role, asking for work
(reprocessing, a capture) the documenter's."""

from __future__ import annotations

from typing import Any

from testament.custody.instance import Instance
from testament.pipeline import captures, service
from tests.policy.conftest import STRANGER, WRITE, UseCase, refusals

USE_CASES: dict[str, UseCase] = {
    "service.item_processing": UseCase(lambda inst, w: service.item_processing(inst, w["item_id"])),
    "service.item_text": UseCase(lambda inst, w: service.item_text(inst, w["item_id"])),
    "service.check_content": UseCase(lambda inst, w: service.check_content(inst, w["item_id"])),
    "service.text_hits": UseCase(lambda inst, w: service.text_hits(inst, w["item_id"], "crater")),
    "service.duplicates": UseCase(lambda inst, w: service.duplicates(inst, w["item_id"])),
    "service.list_jobs": UseCase(lambda inst, w: service.list_jobs(inst, case_name="Case B")),
    "service.progress": UseCase(lambda inst, w: service.progress(inst, case_name="Case B")),
    "service.reprocess": UseCase(
        lambda inst, w: service.reprocess(inst, case_name="Case B", kinds=["type"]), refuses=WRITE
    ),
    "captures.request_capture": UseCase(
        lambda inst, w: captures.request_capture(inst, "https://example.org/", case_name="Case B"),
        refuses=WRITE,
        allowed_as=None,  # the owner would resolve the host; refusals come before any lookup
    ),
    "captures.capture_view": UseCase(
        lambda inst, w: captures.capture_view(inst, w["capture_id"]), allowed_as=None
    ),
    # What a reader sees of previews is filtered, never refused: a stranger gets none.
    "service.previews": UseCase(
        lambda inst, w: service.previews(inst, [w["item_id"]]), refuses=(), allowed_as=STRANGER
    ),
    "service.names_withheld": UseCase(
        lambda inst, w: service.names_withheld(inst, [w["item_id"]]),
        refuses=(),
        allowed_as=STRANGER,
    ),
}

NOT_USE_CASES: dict[str, str] = {
    "captures.run_capture": "a job's body, run by a worker as the pipeline's own agent",
    "processing.process_item": "a job's body, run by a worker as the pipeline's own agent",
    "processing.work_root": "where working copies are made under the home: a path, not an action",
    "runner.run_job": "the worker's step: runs a job already enqueued by a use case that asked",
    "runner.drain": "the worker's loop: runs jobs already enqueued by use cases that asked",
    "runner.worker_app": "procrastinate's app for a worker process, not an action on a case",
}


def test_each_use_case_refuses_an_account_without_the_role(
    instance: Instance, world: dict[str, Any]
) -> None:
    world["capture_id"] = "00000000-0000-7000-8000-000000000000"
    failures = refusals(instance, world, USE_CASES)
    assert failures == [], "\n".join(failures)
