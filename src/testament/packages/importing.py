"""`testament package import`: a partner's evidence package into a case (docs/packages.md).

The package is verified first (:func:`testament.packages.verifier.verify`) with the partner's key: the
one given (``--trust-key``), else the package's own ``log.vkey`` when the ``partner_keys`` setting lists
it. A package that is not valid is refused and nothing is imported, unless ``quarantine`` is asked: then
its originals come in marked quarantined, with the first step that failed, and its documentation stays
out (its incidents could carry no such mark). Then, in this order:

1. **Documentation**: ``incidents.jsonl`` and ``sources.jsonl`` through the JSON Lines importer
   (:func:`testament.transfer.import_jsonl.import_jsonl`), IDs preserved, in one transaction; a line it
   refuses refuses the import before any original is read.
2. **Originals**: each one through ingest (:func:`testament.custody.ingest.ingest`), recorded as coming
   from ``package:<package ID>:<path in the package>``, so the vault links content it holds and the same
   package imported again creates no item. A zip's originals are extracted one at a time, by the names
   in the verified manifest only, to a temporary directory in the home, and removed once ingested.
3. **Links**: each item's incident links, as ``items.jsonl`` gives them; a link that exists is left.
4. **Record**, in one write transaction: a ``package_provenance`` row for each item (the package's
   checkpoint and the partner's key, and the partner's custody entries about the item with their
   proofs, referenced, never merged into this log) and one ``transfer`` custody event.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from testament.custody import cases, custody, policy
from testament.custody import ingest as ingest_service
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import evidence
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.results import Result
from testament.errors import Conflict, IntegrityError, InvalidInput, NotFound, TestamentError
from testament.ledger import checkpoint as notes
from testament.packages import bag, layout, queries, verifier
from testament.packages.reader import (
    DirectoryReader,
    Reader,
    Unreadable,
    Unsafe,
    open_package,
    read_small,
)
from testament.storage.engine import lock_log, read_transaction
from testament.transfer.import_jsonl import import_jsonl
from testament.transfer.imports import ImportOptions

JSONL_HEADER = b'{"kind":"header","format":"testament-jsonl","version":1}\n'
_PROOF_NAME = re.compile(re.escape(layout.PROOFS) + r"/(0|[1-9][0-9]*)\.tlog-proof")
_DIGEST = re.compile(r"[0-9a-f]{64}")
NOTHING = "nothing was imported"


@dataclass(frozen=True)
class ImportRequest:
    """A package to import into a case, and the partner's verifier key (text) to trust it with."""

    path: Path
    case_name: str
    trusted_key: str | None = None  # None: the package's log.vkey, if partner_keys lists it
    quarantine: bool = False


@dataclass(frozen=True)
class PackageImport(Result):
    """What an import brought in: new items, documentation, links, and the ``transfer`` event."""

    package_id: str
    path: str
    case: str
    partner_origin: str
    partner_key: str
    verdict: str  # the verifier's: valid, or invalid when quarantined
    quarantined: bool
    failed_step: int | None  # the first step that failed, when quarantined
    originals: int  # originals in the package
    items: int  # items created by this import
    already_imported: int  # originals this case already held from this package
    incidents: int  # incidents created
    sources: int  # sources created
    links: int  # item-incident links created
    documentation: bool  # whether the documentation was imported (never when quarantined)
    log_index: int  # of the transfer event
    warnings: tuple[str, ...] = ()


@dataclass
class _Package:
    """What the import takes from a package, read once the verifier has passed it."""

    package_id: str
    origin: str
    key: str
    checkpoint: str
    originals: dict[str, str]  # digest (from the manifest path) -> path in the package
    items: list[dict[str, Any]]
    entries: list[tuple[int, bytes, dict[str, Any]]]  # log index, exact line, parsed
    proofs: dict[int, str]
    documentation: list[bytes]  # sources.jsonl then incidents.jsonl lines


@dataclass
class _Ingested:
    item_id: str
    sha256: str
    new: bool


@dataclass
class _Outcome:
    ingested: dict[str, _Ingested] = field(default_factory=dict)  # package digest -> item
    incidents: int = 0
    sources: int = 0
    links: int = 0
    warnings: list[str] = field(default_factory=list)


def import_package(instance: Instance, request: ImportRequest) -> PackageImport:
    """Verify the package at ``request.path`` and import it into ``request.case_name``."""
    case_name = request.case_name.strip()
    if not case_name or any(ord(ch) < 32 for ch in case_name):
        raise InvalidInput("a case name must be non-empty text without control characters",
                           where="--case")  # fmt: skip
    with read_transaction(instance.engine) as conn:
        _may_import(conn, instance, case_name)
    if not os.path.lexists(request.path):
        raise InvalidInput("the path does not exist", where=str(request.path),
                           hint=f"check the spelling; {NOTHING}")  # fmt: skip
    instance.signer  # noqa: B018 - fail on a bad signing key before reading the package
    key = request.trusted_key or _listed_key(instance, request.path)
    if key is None:
        raise InvalidInput(
            f"no trusted key for this package: {NOTHING}",
            where=str(request.path),
            hint="pass --trust-key FILE with the partner's verifier key, obtained out of band "
            "(`testament log key` on their instance), or list it in the partner_keys setting",
        )
    report = verifier.verify(request.path, key.strip())
    failed = _judge(report, request)
    outcome = _Outcome()
    with _opened(request.path) as reader:
        package = _read(reader, report, key.strip())
        if failed is None:
            _documentation(instance, request, package, case_name, outcome)
        _originals(instance, reader, request.path, package, case_name=case_name, outcome=outcome)
    if failed is None:
        _links(instance, package, outcome)
    log_index = _record(instance, case_name, package, outcome, failed)
    return PackageImport(
        package_id=package.package_id,
        path=str(request.path),
        case=case_name,
        partner_origin=package.origin,
        partner_key=package.key,
        verdict=report.verdict,
        quarantined=failed is not None,
        failed_step=None if failed is None else failed.number,
        originals=len(package.originals),
        items=sum(1 for i in outcome.ingested.values() if i.new),
        already_imported=sum(1 for i in outcome.ingested.values() if not i.new),
        incidents=outcome.incidents,
        sources=outcome.sources,
        links=outcome.links,
        documentation=failed is None,
        log_index=log_index,
        warnings=tuple(outcome.warnings),
    )


def _may_import(conn: Connection, instance: Instance, case_name: str) -> str | None:
    """Importing into a case is a documenter's; into a new one (the import creates it), the work of
    someone who may create cases, as every import asks. Returns the case's ID, None if it is new."""
    try:
        policy.case_id(conn, case_name)
    except NotFound:
        policy.require(conn, instance, Action.MANAGE_CASE)
        return None
    return policy.require(conn, instance, Action.DOCUMENT, case=case_name)


def _listed_key(instance: Instance, path: Path) -> str | None:
    """The package's own ``log.vkey``, when the ``partner_keys`` setting lists it; else None."""
    listing = instance.settings.partner_keys
    if listing is None:
        return None
    try:
        text = listing.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the partner keys file cannot be read: {exc}", where=str(listing),
                           hint="fix TESTAMENT_PARTNER_KEYS or the file it names") from None  # fmt: skip
    listed = {line.strip() for line in text.splitlines()}
    listed = {line for line in listed if line and not line.startswith("#")}
    try:
        reader = open_package(path)
    except (Unreadable, Unsafe):
        return None
    try:
        packaged = read_small(reader, layout.VERIFIER_KEY).decode("utf-8").strip()
    except (KeyError, OSError, Unsafe, UnicodeDecodeError):
        return None
    finally:
        reader.close()
    return packaged if packaged in listed else None


def _judge(report: verifier.Report, request: ImportRequest) -> verifier.Step | None:
    """None for a valid package; the first failed step for an invalid one imported in quarantine.
    Anything else is refused, naming the step, its file and what was found."""
    if report.verdict == verifier.VALID:
        return None
    failed = [s for s in report.steps if s.status == verifier.FAILED]
    step = (failed or [s for s in report.steps if s.status == verifier.UNDECIDED])[0]
    finding = step.findings[0] if step.findings else step.status
    where = f"{request.path}: {step.file}" if step.file else str(request.path)
    if not failed:
        raise InvalidInput(
            f"the package could not be verified: step {step.number} ({step.title}) is undecided: "
            f"{finding}; {NOTHING}",
            where=where,
            hint="pass --trust-key FILE with the partner's verifier key, obtained out of band"
            if step.number == 4
            else "run `testament package verify` on it, and ask the partner for it again",
        )
    if not request.quarantine:
        raise IntegrityError(
            f"the package failed verification step {step.number} ({step.title}): {finding}; "
            f"{NOTHING}",
            where=where,
            hint="ask the partner for the package again; or import it with --quarantine to keep "
            "its originals marked as failed verification",
        )
    return step


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[Reader]:
    try:
        reader = open_package(path)
    except (Unreadable, Unsafe) as exc:
        raise IntegrityError(f"the package cannot be read safely: {exc}; {NOTHING}",
                             where=str(path)) from None  # fmt: skip
    try:
        yield reader
    except Unsafe as exc:
        raise IntegrityError(f"{exc.name}: {exc.what}", where=str(path)) from None
    finally:
        reader.close()


class _Quiet:
    """A verifier step whose findings nobody reads: the verifier has already judged the package."""

    status = "passed"

    def fail(self, message: str, file: str | None = None, *, status: str = "failed") -> None:
        pass

    def note(self, message: str) -> None:
        pass


def _read(reader: Reader, report: verifier.Report, key: str) -> _Package:
    contents = bag.check_bag(reader, _Quiet())
    if contents is None or report.package_id is None:
        raise IntegrityError(f"the package's tag files cannot be read; {NOTHING}",
                             where=report.package)  # fmt: skip
    present = set(contents.sizes)

    def text(name: str) -> bytes:
        return read_small(reader, name) if name in present and name in contents.manifest else b""

    checkpoint = text(layout.CHECKPOINT).decode("utf-8", "replace")
    try:
        origin = notes.parse_body(notes.split_note(checkpoint)[0]).origin
    except TestamentError:
        origin = contents.info.get(layout.LOG_ORIGIN, "")
    proofs = {}
    for name in sorted(contents.manifest):
        match = _PROOF_NAME.fullmatch(name)
        if match is not None and name in present and len(match.group(1)) <= 20:
            proofs[int(match.group(1))] = read_small(reader, name).decode("utf-8", "replace")
    lines = [line for line in text(layout.ENTRIES).split(b"\n") if line]
    return _Package(
        package_id=report.package_id,
        origin=origin,
        key=key,
        checkpoint=checkpoint,
        originals=_original_paths(contents.manifest, present),
        items=[line for line in map(_json, text(layout.ITEMS).splitlines()) if line],
        entries=[
            (index, line, _json(line)) for index, line in zip(sorted(proofs), lines, strict=False)
        ],
        proofs=proofs,
        documentation=[
            line + b"\n"
            for name in (layout.SOURCES, layout.INCIDENTS)
            for line in text(name).splitlines()
            if line.strip()
        ],
    )


def _json(line: bytes) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except (ValueError, RecursionError):  # a quarantined package may hold anything
        return {}
    return value if isinstance(value, dict) else {}


def _original_paths(manifest: dict[str, str], present: set[str]) -> dict[str, str]:
    """Each original the manifest lists at ``data/originals/<sha256>/<name>`` and the package holds."""
    found: dict[str, str] = {}
    for name in sorted(manifest):
        parts = name.split("/")
        if (
            name.startswith(layout.ORIGINALS + "/")
            and len(parts) == 4
            and _DIGEST.fullmatch(parts[2])
            and parts[3] not in ("", ".", "..")
            and name in present
        ):
            found.setdefault(parts[2], name)
    return found


@contextlib.contextmanager
def _workdir(instance: Instance) -> Iterator[Path]:
    """A private temporary directory in the home, removed afterwards whatever happens."""
    folder = Path(tempfile.mkdtemp(prefix=".package-import-", dir=instance.settings.home))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _documentation(
    instance: Instance,
    request: ImportRequest,
    package: _Package,
    case_name: str,
    outcome: _Outcome,
) -> None:
    """The package's sources and incidents through the JSON Lines importer, IDs preserved."""
    if not package.documentation:
        return
    with _workdir(instance) as folder:
        file = folder / "documentation.jsonl"
        with file.open("wb") as handle:
            handle.write(JSONL_HEADER)
            handle.writelines(package.documentation)
        options = ImportOptions(rejects=folder / "rejects.jsonl")
        try:
            report = import_jsonl(instance, file, case_name, options)
        except (InvalidInput, Conflict) as exc:
            lines = exc.where.rpartition(": ")[2] if exc.where else None
            raise type(exc)(
                f"the package's documentation cannot be imported: {exc.what}; {NOTHING}",
                where=f"{request.path}: {layout.SOURCES} and {layout.INCIDENTS} (sources first)"
                + (f", {lines} counting the header" if lines else ""),
                hint=exc.hint,
                errors=exc.errors,
            ) from None
    outcome.incidents, outcome.sources = report.incidents.created, report.sources.created
    outcome.warnings.extend(report.warnings)


def _originals(
    instance: Instance,
    reader: Reader,
    path: Path,
    package: _Package,
    *,
    case_name: str,
    outcome: _Outcome,
) -> None:
    """Each original through ingest, one at a time: a directory's in place, a zip's extracted."""
    modified = {str(i.get("sha256")): i.get("modified_at") for i in package.items}
    with _workdir(instance) as folder:
        for number, (digest, name) in enumerate(sorted(package.originals.items())):
            if isinstance(reader, DirectoryReader):
                file = path / name
            else:
                file = folder / str(number) / layout.safe_name(name.rsplit("/", 1)[-1])
                file.parent.mkdir()
                _extract(reader, name, file, modified.get(digest))
            outcome.ingested[digest] = _ingest(instance, file, case_name, package, name)
            if file.is_relative_to(folder):
                shutil.rmtree(file.parent)


def _extract(reader: Reader, name: str, target: Path, modified: object) -> None:
    with reader.open(name) as source, target.open("xb") as handle:
        shutil.copyfileobj(source, handle, 1 << 20)
    if isinstance(modified, str):
        try:
            moment = datetime.fromisoformat(modified).timestamp()
        except ValueError:
            return
        os.utime(target, (moment, moment))


def _ingest(
    instance: Instance, file: Path, case_name: str, package: _Package, name: str
) -> _Ingested:
    source = f"package:{package.package_id}:{name}"
    report = ingest_service.ingest(
        instance, [file], case_name=case_name, source_of=lambda _: source
    )
    done = [r for r in report.results if r.item_id is not None and r.sha256 is not None]
    if len(done) != 1:
        reasons = "; ".join(r.reason or r.status for r in report.results) or "nothing ingested"
        raise IntegrityError(f"the original could not be ingested: {reasons}",
                             where=f"{file}: {name}")  # fmt: skip
    (result,) = done
    return _Ingested(str(result.item_id), str(result.sha256), result.status != "already-ingested")


def _links(instance: Instance, package: _Package, outcome: _Outcome) -> None:
    """Each item's incident links from ``items.jsonl``, where this case holds the incident."""
    for line in package.items:
        item = outcome.ingested.get(str(line.get("sha256")))
        links = line.get("incidents")
        if item is None or not isinstance(links, list):
            continue
        for link in links:
            if not isinstance(link, dict):
                continue
            incident, relevance = str(link.get("incident_id")), str(link.get("relevance") or "")
            source = link.get("source_id")
            try:
                try:
                    evidence.link(instance, item.item_id, incident, relevance,
                                  source_id=str(source) if source else None)  # fmt: skip
                except NotFound:
                    if not source:
                        raise
                    evidence.link(instance, item.item_id, incident, relevance)
            except Conflict:
                continue  # the link exists
            except (NotFound, InvalidInput) as exc:
                outcome.warnings.append(
                    f"the link of item {line.get('id')} to incident {incident} was not made: "
                    f"{exc.what}"
                )
                continue
            outcome.links += 1


def _record(
    instance: Instance,
    case_name: str,
    package: _Package,
    outcome: _Outcome,
    failed: verifier.Step | None,
) -> int:
    """The provenance rows and the ``transfer`` event, in one transaction; returns its log index."""
    with recording(instance) as conn:
        lock_log(conn)  # the provenance rows read below hold until commit
        agent_id = acting_agent(conn)
        case_id = _may_import(conn, instance, case_name)
        if case_id is None:  # a package with nothing to bring in: the case is made all the same
            case_id = cases.create_case_row(conn, case_name, agent_id)
        items = {i.item_id: (digest, i) for digest, i in outcome.ingested.items()}
        known = queries.provenanced_items(conn, package.package_id, items)
        now = utc_timestamp()
        rows = [
            _provenance(package, digest, item, failed, agent_id=agent_id, now=now)
            for item_id, (digest, item) in sorted(items.items())
            if item_id not in known
        ]
        queries.insert_provenance(conn, rows)
        event = custody.NewEvent(
            CustodyEventType.TRANSFER,
            agent_id,
            case_id=case_id,
            detail={
                "object": "package",
                "package": package.package_id,
                "partner_origin": package.origin,
                "items": sum(1 for i in outcome.ingested.values() if i.new),
                "quarantined": failed is not None,
            },
        )
        (log_index,) = custody.record(conn, [event])
    return log_index


def _provenance(
    package: _Package,
    digest: str,
    item: _Ingested,
    failed: verifier.Step | None,
    *,
    agent_id: int,
    now: str,
) -> dict[str, Any]:
    """One item's provenance row: the partner's entries whose ``sha256`` is the original's or whose
    ``item`` is one of the partner's items for it, exact lines, with their proofs."""
    partner_items = {str(i.get("id")) for i in package.items if i.get("sha256") == digest}
    chosen = [
        (index, line)
        for index, line, entry in package.entries
        if entry.get("sha256") in (digest, item.sha256)
        or (entry.get("item") is not None and str(entry.get("item")) in partner_items)
    ]
    return {
        "id": new_id(),
        "item_id": item.item_id,
        "package_id": package.package_id,
        "partner_origin": package.origin,
        "partner_key": package.key,
        "checkpoint": package.checkpoint,
        "entries": b"".join(line + b"\n" for _, line in chosen).decode("utf-8", "replace"),
        "proofs": json.dumps(
            {str(index): package.proofs[index] for index, _ in chosen if index in package.proofs},
            sort_keys=True,
        ),
        "quarantined": failed is not None,
        "failed_step": None if failed is None else failed.number,
        "imported_at": now,
        "imported_by": agent_id,
    }
