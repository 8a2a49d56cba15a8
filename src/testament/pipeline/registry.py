"""Which extractors run, in which order, and with which settings (docs/processing.md, "Extractors")."""

from __future__ import annotations

from pathlib import Path

from testament.config import Settings
from testament.errors import InvalidInput
from testament.pipeline.extractors.base import Extractor, Limits

# Every kind, in the order they run on an item. ``reprocess --kind`` takes these names.
KINDS = ("type", "metadata", "media", "credentials", "phash", "preview", "text", "archive")
# What runs on the recording of a survivor's testimony: nothing that copies its content into
# derivatives, the search index or the near-duplicate index, which consent does not cover.
RECORDING_KINDS = frozenset({"type", "metadata", "media", "credentials"})
# Derivatives made for people to look at are not processed again; an archive's members are evidence
# in their own right and are.
PROCESSED_ROLES = frozenset({"member"})


def limits(settings: Settings) -> Limits:
    return Limits(
        timeout_s=float(settings.processing_timeout_s),
        memory_bytes=settings.processing_memory_mb * 1024**2,
    )


def extractors(settings: Settings, *, depth: int = 0) -> list[Extractor]:
    """One of each extractor, in :data:`KINDS` order. ``depth`` is how deep in nested archives the
    item lies (an archive at the deepest allowed level is not unpacked)."""
    from testament.pipeline.extractors.archives import ArchiveExtractor  # noqa: PLC0415 - the extractors load their libraries only when processing runs
    from testament.pipeline.extractors.credentials import CredentialsExtractor  # noqa: PLC0415 - the extractors load their libraries only when processing runs
    from testament.pipeline.extractors.filetype import FileTypeExtractor  # noqa: PLC0415 - the extractors load their libraries only when processing runs
    from testament.pipeline.extractors.media import MediaExtractor  # noqa: PLC0415 - the extractors load their libraries only when processing runs
    from testament.pipeline.extractors.metadata import MetadataExtractor  # noqa: PLC0415 - the extractors load their libraries only when processing runs
    from testament.pipeline.extractors.phash import PerceptualHashExtractor  # noqa: PLC0415 - the extractors load their libraries only when processing runs
    from testament.pipeline.extractors.previews import PreviewExtractor  # noqa: PLC0415 - the extractors load their libraries only when processing runs
    from testament.pipeline.extractors.text import TextExtractor  # noqa: PLC0415 - the extractors load their libraries only when processing runs

    found: list[Extractor] = [
        FileTypeExtractor(),
        MetadataExtractor(),
        MediaExtractor(),
        CredentialsExtractor(trust_anchors=_anchors(settings.c2pa_trust_anchors)),
        PerceptualHashExtractor(),
        PreviewExtractor(),
        TextExtractor(),
    ]
    if depth < settings.archive_max_depth:
        found.append(ArchiveExtractor(depth=depth, max_depth=settings.archive_max_depth))
    return found


def _anchors(path: Path | None) -> list[str]:
    """The configured C2PA trust anchors; a file that holds no certificate is refused by name."""
    if path is None:
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"setting c2pa_trust_anchors names a file that cannot be read: {exc.__class__.__name__}",
            where="TESTAMENT_C2PA_TRUST_ANCHORS",
        ) from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise InvalidInput(
            "setting c2pa_trust_anchors must name a PEM file holding at least one certificate "
            "(-----BEGIN CERTIFICATE-----)",
            where="TESTAMENT_C2PA_TRUST_ANCHORS",
        )
    return [text]
