"""What processing derived from an item before a testimony named it as its recording is held to the
recording's rules: its access gate, search, near-duplicates and erasure (docs/processing.md)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import ingest
from testament.custody.instance import Instance
from testament.documentation import evidence
from testament.errors import NotFound, PermissionDenied
from testament.pipeline import runner, service
from testament.survivors import erasure, testimony_reading
from tests.services.test_testimony import CASE, assess, take, world

__all__ = ["world"]


def _video(path: Path) -> Path:
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10",
         "-pix_fmt", "yuv420p", "-c:v", "libx264", str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_keyframes_made_before_a_video_became_a_recording_follow_its_rules(
    instance: Instance, world: dict[str, Any], tmp_path: Path
) -> None:
    video = _video(tmp_path / "petrenko-interview.mp4")
    (item,) = (r.item_id for r in ingest.ingest(instance, [video], case_name=CASE).results)
    runner.drain(instance)
    keyframes = [d.item_id for d in service.item_processing(instance, item).derivatives]
    assert keyframes, "the video was processed before it became a recording"
    assert testimony_reading.recorded_in(instance, keyframes[0]) is None

    held = take(instance, world["person"], assess(instance, world["person"]), account=None,
                summary=None, recording_item_id=item)  # fmt: skip
    # Every keyframe is now gated as the recording is.
    assert {testimony_reading.recorded_in(instance, k) for k in keyframes} == {held}
    # A documenter reads the case but not the person's words: no preview, no text, refused in the
    # use cases themselves, whatever the edge.
    iryna = instance.acting_for(accounts.principal_named(instance, "iryna"))
    assert service.previews(iryna, [item]).get(item) is None
    assert service.previews(instance, [item]).get(item) in keyframes
    for content in (item, keyframes[0]):
        with pytest.raises(PermissionDenied):
            service.item_text(iryna, content)
        with pytest.raises(PermissionDenied):
            service.check_content(iryna, content)
    # Processing the recording again makes no new derivatives.
    service.reprocess(instance, case_name=CASE)
    runner.drain(instance)
    again = service.item_processing(instance, item)
    assert {d.item_id for d in again.derivatives} == set(keyframes)
    # Erasure shreds the keyframes' content with the recording's.
    report = erasure.erase(instance, world["person"], grounds=erasure.GROUNDS[0])
    assert report is not None
    for keyframe in [item, *keyframes]:
        with pytest.raises(NotFound):
            for _ in instance.blobs.read(_digest(instance, keyframe)):
                pass


def _digest(instance: Instance, item_id: str) -> str:
    return evidence.show(instance, item_id).sha256
