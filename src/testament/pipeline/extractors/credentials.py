"""Content credentials: C2PA manifests (c2pa-python) and ProofMode bundles (GnuPG).

A C2PA manifest becomes one ``c2pa`` observation (C2PA-03): ``trusted`` (a good signature whose
certificate chains to a configured trust anchor), ``valid`` (good, but no anchor vouches for the
signer), ``invalid`` (a failed check: the codes say which) or ``absent``. A missing credential is
not negative evidence: most files have none, and messaging platforms strip them.

The manifest is read in a child process (``python -m`` this module) under the extraction's
timeout and memory limits, as any other tool, since a hostile file reaches the native parser. The
reader never goes online: a manifest stored at a remote URL is reported (as ``absent``, with its
URL) but not fetched, and certificate revocation (OCSP) is not fetched either.

A zip is checked as a ProofMode bundle (:mod:`.proofmode`); a zip that is not one gives no
observation at all.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from testament.pipeline.extractors import proofmode
from testament.pipeline.extractors.base import (
    Extraction,
    ExtractionFailed,
    Limits,
    Observation,
    Tool,
    run_tool,
)

KIND = "credentials"
ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed"})
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_STATES = {"Trusted": "trusted", "Valid": "valid"}
_ACTION_LABELS = ("c2pa.actions", "c2pa.actions.v2")
_MAX_ACTIONS = 100
_VALUE_CHARS = 200
_ABSENT_NOTE = "no content credential: this is not negative evidence"
_PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----"
_REMOTE_PREFIX = "Remote: must fetch remote manifests from url "


@functools.cache
def c2pa_media_types() -> frozenset[str]:
    """The image, video, audio and PDF media types the installed C2PA reader supports."""
    import c2pa  # noqa: PLC0415 - the native library loads only when credentials are read

    supported = c2pa.Reader.get_supported_mime_types()
    return frozenset(
        media_type
        for media_type in supported
        if media_type.startswith(("image/", "video/", "audio/")) or media_type == "application/pdf"
    )


class CredentialsExtractor:
    """Reads C2PA manifests and checks ProofMode bundles.

    ``trust_anchors`` are PEM certificates (each string may hold several) that make a good C2PA
    signature ``trusted``; without them it is at best ``valid``. A string with no certificate in it
    raises ``ValueError``, since the reader would ignore it and trust nothing."""

    kind = KIND

    def __init__(
        self,
        trust_anchors: Sequence[str] = (),
        *,
        caps: proofmode.Caps | None = None,
    ) -> None:
        self.trust_anchors = tuple(trust_anchors)
        for number, pem in enumerate(self.trust_anchors, start=1):
            if _PEM_CERTIFICATE not in pem:
                raise ValueError(f"C2PA trust anchor {number} holds no PEM certificate")
        self.caps = caps or proofmode.Caps()

    def applies(self, media_type: str, name: str) -> bool:
        return media_type in ZIP_TYPES or media_type in c2pa_media_types()

    def tool(self) -> Tool:
        return Tool("c2pa-python", _c2pa_version())

    def extract(self, source: Path, work: Path, limits: Limits) -> Extraction:
        if _is_zip(source):
            return self._proofmode(source, work, limits)
        return self._c2pa(source, work, limits)

    def _c2pa(self, source: Path, work: Path, limits: Limits) -> Extraction:
        args = [sys.executable, "-m", __name__, str(source)]
        if self.trust_anchors:
            anchors = work / "c2pa-trust-anchors.pem"
            anchors.write_text("\n".join(self.trust_anchors), encoding="utf-8")
            args.append(str(anchors))
        out = run_tool(args, limits, name="c2pa-python")
        observation = observe(_parse_report(out))
        return Extraction(
            kind=KIND,
            tool=self.tool(),
            parameters={
                "trust_anchors": sum(pem.count(_PEM_CERTIFICATE) for pem in self.trust_anchors),
                "remote_manifest_fetch": False,
                "ocsp_fetch": False,
            },
            metadata={"c2pa": observation.status},
            observations=[observation],
        )

    def _proofmode(self, source: Path, work: Path, limits: Limits) -> Extraction:
        observations = proofmode.check_bundle(source, work, limits, self.caps)
        metadata: dict[str, Any] = {}
        if observations:
            statuses = {observation.status for observation in observations}
            metadata["proofmode"] = "valid" if statuses == {"valid"} else "invalid"
        return Extraction(
            kind=KIND,
            tool=Tool("GnuPG", proofmode.gnupg_version(limits)),
            parameters={
                "max_media_bytes": self.caps.media_bytes,
                "max_text_bytes": self.caps.text_bytes,
            },
            metadata=metadata,
            observations=observations,
        )


def _is_zip(source: Path) -> bool:
    with source.open("rb") as file:
        return file.read(4) in _ZIP_MAGIC


@functools.cache
def _c2pa_version() -> str:
    import c2pa  # noqa: PLC0415 - the native library loads only when credentials are read

    return f"{importlib.metadata.version('c2pa-python')} (c2pa-rs {c2pa.sdk_version()})"


def _parse_report(out: bytes) -> dict[str, Any]:
    try:
        report = json.loads(out)
    except ValueError:
        raise ExtractionFailed("c2pa-python wrote a report that is not JSON") from None
    if not isinstance(report, dict):
        raise ExtractionFailed("c2pa-python wrote a report that is not a JSON object")
    return report


def observe(report: dict[str, Any]) -> Observation:
    """The ``c2pa`` observation for the child's report (see :func:`read_manifest_store`)."""
    outcome = report.get("outcome")
    if outcome == "none":
        return Observation(kind="c2pa", status="absent", detail={"note": _ABSENT_NOTE})
    if outcome == "remote":
        detail = {
            "note": f"{_ABSENT_NOTE}; the file names a remote manifest, which is never fetched"
        }
        return Observation(
            kind="c2pa", status="absent", detail={**detail, "remote_manifest": report.get("url")}
        )
    if outcome == "manifest":
        return summarise(_as_dict(report.get("store")))
    why = _text(report.get("message")) or "no reason given"
    raise ExtractionFailed(f"C2PA reader could not read this file: {why}")


def summarise(store: dict[str, Any]) -> Observation:
    """Summarise a C2PA manifest store (``Reader.json()``) as an observation."""
    label = _text(store.get("active_manifest"))
    manifests = _as_dict(store.get("manifests"))
    manifest = _as_dict(manifests.get(label or ""))
    signature = _as_dict(manifest.get("signature_info"))
    codes, failures = _codes(store)
    status = _STATES.get(str(store.get("validation_state")), "invalid")
    detail = {
        "manifest": label,
        "manifest_count": len(manifests),
        "claim_generator": _claim_generator(manifest),
        "signer_common_name": _text(signature.get("common_name")),
        "signer_organisation": _text(signature.get("issuer")),
        "signature_algorithm": _text(signature.get("alg")),
        "signing_time": _text(signature.get("time")),
        "actions": _actions(manifest),
        "ingredient_count": len(_as_list(manifest.get("ingredients"))),
        "validation_codes": codes,
        "failure_codes": failures,
    }
    return Observation(kind="c2pa", status=status, detail=detail)


def _codes(store: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Every validation code of the active manifest (deduplicated, in order), and the failures."""
    results = _as_dict(_as_dict(store.get("validation_results")).get("activeManifest"))
    if results:
        groups = [_as_list(results.get(key)) for key in ("success", "informational", "failure")]
        entries, failed = [e for group in groups for e in group], groups[2]
    else:
        entries = failed = _as_list(store.get("validation_status"))
    codes = [_text(_as_dict(entry).get("code")) for entry in entries]
    failures = [_text(_as_dict(entry).get("code")) for entry in failed]
    return _unique(codes), _unique(failures)


def _claim_generator(manifest: dict[str, Any]) -> str | None:
    generator = _text(manifest.get("claim_generator"))
    if generator:
        return generator
    parts = []
    for info in _as_list(manifest.get("claim_generator_info")):
        name, version = _text(_as_dict(info).get("name")), _text(_as_dict(info).get("version"))
        if name:
            parts.append(f"{name} {version}" if version else name)
    return "; ".join(parts) or None


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``c2pa.actions`` assertions' actions, each with its software agent and source type."""
    found: list[dict[str, Any]] = []
    for item in _as_list(manifest.get("assertions")):
        assertion = _as_dict(item)
        label = str(assertion.get("label", "")).split("__")[0]
        if label not in _ACTION_LABELS:
            continue
        for entry in _as_list(_as_dict(assertion.get("data")).get("actions")):
            action = _as_dict(entry)
            found.append(
                {
                    "action": _text(action.get("action")),
                    "software_agent": _agent(action.get("softwareAgent")),
                    "digital_source_type": _text(action.get("digitalSourceType")),
                    "when": _text(action.get("when")),
                }
            )
    return found[:_MAX_ACTIONS]


def _agent(agent: Any) -> str | None:
    if isinstance(agent, dict):
        name, version = _text(agent.get("name")), _text(agent.get("version"))
        return f"{name} {version}" if name and version else name
    return _text(agent)


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value[:_VALUE_CHARS] if isinstance(value, str) and value else None


def _unique(values: Sequence[str | None]) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def read_manifest_store(source: Path, anchors: Path | None) -> dict[str, Any]:
    """Read ``source``'s C2PA manifest store offline (runs in the child process).

    ``{"outcome": "manifest", "store": ...}``, ``{"outcome": "none"}``, ``{"outcome": "remote",
    "url": ...}`` or ``{"outcome": "error", "message": ...}``."""
    import c2pa  # noqa: PLC0415 - the child alone parses the file

    settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    if anchors is not None:
        settings["trust"] = {"trust_anchors": anchors.read_text(encoding="utf-8")}
    context = c2pa.Context.from_dict(settings)
    try:
        with source.open("rb") as stream:
            reader = c2pa.Reader.try_create(stream, context=context)
            if reader is None:
                return {"outcome": "none"}
            with reader:
                return {"outcome": "manifest", "store": json.loads(reader.json())}
    except c2pa.C2paError as error:
        message = str(error)
        if message.startswith(_REMOTE_PREFIX):
            return {"outcome": "remote", "url": message.removeprefix(_REMOTE_PREFIX)[:500]}
        return {"outcome": "error", "message": message[:_VALUE_CHARS]}


def main(argv: Sequence[str]) -> int:
    """``python -m testament.pipeline.extractors.credentials FILE [ANCHORS.pem]``: print the
    report of :func:`read_manifest_store` as JSON."""
    if len(argv) not in (1, 2):
        sys.stderr.write("usage: credentials FILE [TRUST-ANCHORS.pem]\n")
        return 2
    anchors = Path(argv[1]) if len(argv) == 2 else None
    sys.stdout.write(json.dumps(read_manifest_store(Path(argv[0]), anchors)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
