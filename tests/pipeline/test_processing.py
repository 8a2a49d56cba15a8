"""Processing end to end on both databases: jobs enqueued with the evidence, extractors' results and
derivatives recorded with custody events, failures shown on the item, retries, reprocessing and
near-duplicates (issue 16, parts 1 to 3)."""

from __future__ import annotations

import subprocess
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import func, select

from testament.custody import ingest, verification
from testament.custody.instance import Instance
from testament.documentation import search
from testament.errors import InvalidInput
from testament.pipeline import runner, service
from testament.search.base import SearchQuery
from testament.storage.engine import read_transaction, write_transaction
from testament.storage.jobs import NewJob, enqueue
from testament.storage.tables import perceptual_hash

SHAPES = [(30, 40, 200, 180), (220, 60, 380, 260), (60, 200, 160, 290)]


def photo(
    path: Path, *, quality: int = 92, size: tuple[int, int] = (400, 300), shift: int = 0
) -> Path:
    """A JPEG with shapes on a gradient (so PDQ has structure to hash)."""
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 4):
        draw.line([(x, 0), (x, size[1])], fill=(x % 256, (x * 2) % 256, 120))
    for n, (a, b, c, d) in enumerate(SHAPES):
        draw.rectangle((a + shift, b, c + shift, d), fill=(255 - 60 * n, 40 * n, 90))
    image.save(path, "JPEG", quality=quality)
    return path


def with_gps(path: Path, lat: float, lon: float) -> Path:
    subprocess.run(
        [
            "exiftool", "-q", "-overwrite_original",
            f"-GPSLatitude={abs(lat)}", f"-GPSLatitudeRef={'N' if lat >= 0 else 'S'}",
            f"-GPSLongitude={abs(lon)}", f"-GPSLongitudeRef={'E' if lon >= 0 else 'W'}",
            "-Make=TestCam", "-Model=T1", "-DateTimeOriginal=2022:03:14 09:26:53", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path


def _ingest(instance: Instance, *paths: Path, case: str = "Kharkiv") -> list[str]:
    report = ingest.ingest(instance, list(paths), case_name=case)
    return [r.item_id for r in report.results if r.item_id]


def _verify_ok(instance: Instance) -> None:
    assert [f for f in verification.run(instance) if not f.ok] == []


def test_ingest_enqueues_one_job_per_new_item_in_the_same_transaction(
    instance: Instance, tmp_path: Path
) -> None:
    (item,) = _ingest(instance, photo(tmp_path / "a.jpg"))
    (job,) = service.list_jobs(instance)
    assert (job.task, job.item_id, job.state, job.reason) == ("process", item, "queued", "ingest")
    again = _ingest(instance, tmp_path / "a.jpg")  # already ingested: no second job
    assert again == [item] and len(service.list_jobs(instance)) == 1


def test_ingest_with_processing_off_enqueues_nothing(instance: Instance, tmp_path: Path) -> None:
    quiet = replace(instance, settings=replace(instance.settings, processing=False))
    _ingest(quiet, photo(tmp_path / "a.jpg"))
    assert service.list_jobs(instance) == []


def test_a_photo_gets_metadata_a_suggested_location_a_thumbnail_and_hashes(
    instance: Instance, tmp_path: Path
) -> None:
    (item,) = _ingest(instance, with_gps(photo(tmp_path / "photo.jpg"), -33.8568, -70.6483))
    assert runner.drain(instance) >= 1
    found = service.item_processing(instance, item)
    kinds = {e.kind: e for e in found.extractions}
    assert {"type", "metadata", "phash", "preview"} <= set(kinds)
    assert all(e.status == "ok" for e in kinds.values()), [
        (e.kind, e.error) for e in kinds.values()
    ]
    assert kinds["metadata"].tool == "ExifTool"
    location = found.suggested_location
    assert location is not None
    assert location["latitude"] == pytest.approx(-33.8568, abs=1e-4)
    assert location["longitude"] == pytest.approx(-70.6483, abs=1e-4)
    (thumb,) = [d for d in found.derivatives if d.role == "thumbnail"]
    assert (
        thumb.parent_id == item and thumb.tool == "Pillow" and thumb.media_type.startswith("image/")
    )
    assert found.preview_item_id == thumb.item_id
    child = service.item_processing(instance, thumb.item_id)
    assert (
        child.derived_from is not None and child.derived_from.parent_sha256 == thumb.parent_sha256
    )
    assert child.extractions == []  # a thumbnail is not processed again
    (job,) = found.jobs
    assert job.state == "done" and job.attempts == 1
    _verify_ok(instance)


def test_an_archive_s_members_become_items_and_are_processed(
    instance: Instance, tmp_path: Path
) -> None:
    inner = photo(tmp_path / "inner.jpg")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(inner, "photos/inner.jpg")
        z.writestr("notes.txt", "Обстріл о 09:26")
    (item,) = _ingest(instance, archive)
    runner.drain(instance)
    found = service.item_processing(instance, item)
    members = {d.name: d for d in found.derivatives if d.role == "member"}
    assert set(members) == {"photos/inner.jpg", "notes.txt"}
    photo_member = service.item_processing(instance, members["photos/inner.jpg"].item_id)
    assert any(d.role == "thumbnail" for d in photo_member.derivatives)
    _verify_ok(instance)


@pytest.mark.parametrize(
    "damage",
    [lambda b: b[: len(b) // 3], lambda b: b[:20] + bytes(range(256)) * 8],
    ids=["truncated", "corrupt"],
)
def test_a_damaged_jpeg_fails_its_kinds_with_reasons_and_the_job_is_done(
    instance: Instance, tmp_path: Path, damage: object
) -> None:
    good = photo(tmp_path / "good.jpg").read_bytes()
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(damage(good))  # type: ignore[operator]
    (item,) = _ingest(instance, bad)
    runner.drain(instance)
    found = service.item_processing(instance, item)
    failed = [e for e in found.extractions if e.status == "failed"]
    assert failed, "a damaged JPEG fails at least one kind"
    assert all(e.error and "Traceback" not in e.error for e in failed)
    assert [j.state for j in found.jobs] == ["done"]
    _verify_ok(instance)


def _later(instance: Instance, seconds: float) -> None:
    """Run the jobs due ``seconds`` from now: the embedded queue takes a clock; procrastinate's retries
    are rows scheduled in its table, brought forward as time would."""
    if instance.settings.is_sqlite:
        runner.drain(instance, clock=runner.due_later(seconds))
        return
    with write_transaction(instance.engine) as connection:
        connection.exec_driver_sql(
            # Only a waiting job's schedule matters to procrastinate; others' are history.
            "UPDATE procrastinate_jobs SET scheduled_at = now() "
            "WHERE scheduled_at > now() AND scheduled_at <= now() + make_interval(secs => %(s)s)",
            {"s": seconds},
        )
    runner.drain(instance)


def test_a_failure_another_try_may_cure_is_retried_with_backoff_then_fails(
    instance: Instance, tmp_path: Path
) -> None:
    (item,) = _ingest(instance, photo(tmp_path / "a.jpg"))
    blocker = instance.settings.home / "work"
    blocker.write_bytes(b"not a directory")  # working copies cannot be made
    runner.drain(instance)
    (job,) = service.list_jobs(instance)
    assert (job.state, job.attempts) == ("queued", 1)
    assert job.error and "work" in job.error and job.run_after > job.enqueued_at
    _later(instance, 1)  # the first retry waits 4 s: not yet
    assert service.list_jobs(instance)[0].attempts == 1
    _later(instance, 5)
    (job,) = service.list_jobs(instance)
    assert (job.state, job.attempts) == ("queued", 2)
    _later(instance, 60)
    (job,) = service.list_jobs(instance)
    assert (job.state, job.attempts) == ("failed", 3)
    assert [j.id for j in service.list_jobs(instance, failed_only=True)] == [job.id]
    blocker.unlink()
    report = service.reprocess(instance, case_name="Kharkiv")
    assert report.jobs == 1
    runner.drain(instance)
    assert service.item_processing(instance, item).extractions


def test_a_job_run_again_skips_what_the_same_extractors_already_did(
    instance: Instance, tmp_path: Path
) -> None:
    (item,) = _ingest(instance, photo(tmp_path / "a.jpg"))
    runner.drain(instance)
    before = service.item_processing(instance, item)
    with write_transaction(instance.engine) as connection:  # as a retry after a crash would
        enqueue(connection, [NewJob("process", before.jobs[0].case_id, item_id=item)], 1)
    runner.drain(instance)
    after = service.item_processing(instance, item)
    assert [d.item_id for d in after.derivatives] == [d.item_id for d in before.derivatives]
    # What succeeded is not done again (what failed is tried again: it may have been the machine).
    done = {e.kind: e.extracted_at for e in before.extractions if e.status == "ok"}
    assert done and {e.kind: e.extracted_at for e in after.extractions if e.kind in done} == done


def test_reprocess_one_kind_and_refuse_an_unknown_one(instance: Instance, tmp_path: Path) -> None:
    _ingest(instance, photo(tmp_path / "a.jpg"))
    runner.drain(instance)
    report = service.reprocess(instance, case_name="Kharkiv", kinds=["phash"])
    assert (report.items, report.kinds) == (1, ["phash"])
    runner.drain(instance)
    jobs = service.list_jobs(instance)
    assert jobs[0].kinds == ["phash"] and jobs[0].state == "done"
    with pytest.raises(InvalidInput) as caught:
        service.reprocess(instance, case_name="Kharkiv", kinds=["phash", "astrology"])
    assert "astrology" in caught.value.what


def test_near_duplicates_are_found_within_the_threshold_and_not_beyond(
    instance: Instance, tmp_path: Path
) -> None:
    original = photo(tmp_path / "original.jpg", quality=95)
    smaller = tmp_path / "smaller.jpg"
    with Image.open(original) as image:
        image.resize((200, 150)).save(smaller, "JPEG", quality=60)
    other = tmp_path / "other.jpg"
    Image.effect_noise((400, 300), 80).convert("RGB").save(other, "JPEG")
    first, second, third = _ingest(instance, original, smaller, other)
    runner.drain(instance)
    found = service.duplicates(instance, first)
    assert [d.item_id for d in found] == [second]
    assert found[0].distance <= 31
    assert service.duplicates(instance, first, max_distance=0) == [] or found[0].distance == 0
    assert third not in {d.item_id for d in service.duplicates(instance, first, max_distance=31)}
    with pytest.raises(InvalidInput):
        service.duplicates(instance, first, max_distance=300)
    # Hashing again replaces both items' hashes: the index drops the old ones, so each match is
    # listed once, with its new row.
    service.reprocess(instance, case_name="Kharkiv", kinds=["phash"])
    runner.drain(instance)
    again = service.duplicates(instance, first)
    assert [(d.item_id, d.distance) for d in again] == [(second, found[0].distance)]
    assert [d.item_id for d in service.duplicates(instance, second)] == [first]
    with read_transaction(instance.engine) as connection:
        rows = connection.execute(select(func.count()).select_from(perceptual_hash)).scalar_one()
        loaded = service._index(instance, connection)
    assert len(loaded.index) == len(loaded.rows) == rows  # no hash left behind by the first run


def test_text_in_a_scanned_image_is_searchable_and_says_where(
    instance: Instance, tmp_path: Path
) -> None:
    image = Image.new("RGB", (900, 200), "white")
    draw = ImageDraw.Draw(image)
    font = _font(48)
    draw.text((20, 60), "SHELLING HOSPITAL", fill="black", font=font)
    scan = tmp_path / "scan.png"
    image.save(scan)
    (item,) = _ingest(instance, scan)
    runner.drain(instance)
    hits = service.text_hits(instance, item, "hospital")
    assert hits and hits[0].where == "image"
    results = search.search(instance, SearchQuery(text="hospital"))
    assert item in {r.doc_id for r in results.hits}


def _font(size: int) -> ImageFont.FreeTypeFont:
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Sans:bold"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return ImageFont.truetype(path, size)


def test_a_worker_thread_processes_what_is_ingested(instance: Instance, tmp_path: Path) -> None:
    worker = runner.Worker(instance)
    worker.start()
    try:
        (item,) = _ingest(instance, photo(tmp_path / "a.jpg"))
        deadline = time.monotonic() + 60
        while service.progress(instance).done < 1 and time.monotonic() < deadline:
            time.sleep(0.1)  # polls the job's state; the deadline only bounds a broken worker
    finally:
        worker.stop()
    assert service.item_processing(instance, item).jobs[0].state == "done"
