"""Sharing with investigators from the browser: ask, a second person decides, then the package is built.

1. An analyst of the case chooses what to share (items, incidents, or the whole case), for whom and for
   what, and sees a preview (:func:`preview`): what goes in, what is withheld and why, the total size.
   Asking (:func:`ask`) records the request and a ``disclosure`` custody event.
2. A *different* person, a coordinator of the case, approves or refuses it (:func:`decide`), with the
   reason for a refusal; the decision is a custody event too.
3. Only after approval is the package built (:func:`build`), by the approver, as
   :func:`testament.packages.create.create` builds any package: a zip under the home's ``packages/``,
   its progress kept on the request so the page can show a bar.
4. The person who asked downloads it (:func:`download`), at most :data:`DOWNLOADS` times; each download
   is an ``access`` event.

:func:`register` is the disclosure register: what went to whom, when, for what and under which package
ID, and, where a person whose consent the package relied on has since withdrawn it, the recipient to
tell.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody, policy
from testament.custody.instance import Instance, acting_agent, identity_of, recording
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.text import clean_text
from testament.errors import (
    BackendUnavailable,
    Conflict,
    ConsentRequired,
    NotFound,
    PermissionDenied,
    TestamentError,
)
from testament.packages import create
from testament.packages import sharing_queries as queries
from testament.packages.results import (
    PackageReport,
    Preview,
    PreviewItem,
    RegisterEntry,
    SharingRequest,
)
from testament.storage.engine import lock_log, read_transaction
from testament.survivors import consent
from testament.transfer.disclosure import Audience

DOWNLOADS = 3  # how many times the person who asked may download a built package
PROGRESS_EVERY = 0.5  # seconds between the progress a build records on its request


@dataclass(frozen=True)
class Selection:
    """What to share: these items and the items of these incidents (neither: the whole case), kept
    only if they pass ``only`` (a kind of file, a date range)."""

    items: tuple[str, ...] = ()
    incidents: tuple[str, ...] = ()
    only: create.Narrowing | None = None


def _stored(selection: Selection) -> str:
    only = selection.only
    narrowing = None if only is None else [list(only.media_types), only.dated_from, only.dated_to]
    return json.dumps({"items": list(selection.items), "incidents": list(selection.incidents),
                       "only": narrowing})  # fmt: skip


def _restored(text: str) -> Selection:
    found = json.loads(text)
    narrowing = found.get("only")
    only = None if narrowing is None else create.Narrowing(tuple(narrowing[0]), *narrowing[1:])
    return Selection(tuple(found["items"]), tuple(found["incidents"]), only)


def packages_dir(instance: Instance) -> Path:
    return instance.settings.home / "packages"


def _request(
    case_name: str, audience: Audience, selection: Selection, out: Path
) -> create.PackageRequest:
    return create.PackageRequest(
        case_name, audience.recipient_class, audience.purpose, audience.recipient, out,
        item_ids=selection.items, incident_ids=selection.incidents, zipped=True,
        only=None if selection.only is None else selection.only.checked(),
    )  # fmt: skip


def preview(
    instance: Instance, case_name: str, audience: Audience, selection: Selection
) -> Preview:
    """What a package would hold and withhold, and its size; records nothing (an analyst's)."""
    audience = audience.checked()
    create.check_ids(selection.items, selection.incidents)
    wanted = _request(case_name, audience, selection, packages_dir(instance) / "preview")
    with read_transaction(instance.engine) as conn:
        chosen = create.plan(conn, instance, wanted, audience)
    sizes = {row["sha256"]: int(row["size"]) for row in chosen.items}
    return Preview(
        items=tuple(
            PreviewItem(row["id"], row["original_name"], int(row["size"]), row["media_type"])
            for row in chosen.items
        ),
        testimonies=len(chosen.testimonies),
        withheld=tuple(chosen.withheld),
        total_bytes=sum(sizes.values()),
    )


def _event(conn: Connection, case_id: str, detail: dict[str, Any]) -> None:
    event = custody.NewEvent(
        CustodyEventType.DISCLOSURE, acting_agent(conn), case_id=case_id,
        detail={"object": "package-request"} | detail,
    )  # fmt: skip
    custody.record(conn, [event])


def ask(instance: Instance, case_name: str, audience: Audience, selection: Selection) -> str:
    """Ask for a package to be shared; a second person decides. Returns the request's ID."""
    shown = preview(
        instance, case_name, audience, selection
    )  # checks everything, as the package will
    audience = audience.checked()
    with recording(instance) as conn:
        case_id = str(policy.require(conn, instance, Action.ANALYSE, case=case_name))
        request_id = new_id()
        queries.insert_request(conn, {
            "id": request_id, "case_id": case_id, "recipient_class": audience.recipient_class,
            "purpose": audience.purpose, "recipient": audience.recipient,
            "selection": _stored(selection),
            "state": "requested", "requested_by": acting_agent(conn),
            "requested_at": utc_timestamp(), "total": shown.total_bytes,
        })  # fmt: skip
        _event(conn, case_id, {"change": "requested", "request": request_id,
                               "recipient_class": audience.recipient_class,
                               "purpose": audience.purpose})  # fmt: skip
    return request_id


def _row(conn: Connection, instance: Instance, request_id: str, action: Action) -> dict[str, Any]:
    """The request, read as its case is; to anyone who may not read the case it is absent."""
    row = queries.request(conn, request_id)
    if row is None:
        raise NotFound("no sharing request has this ID", where=request_id)
    try:
        policy.require(conn, instance, Action.READ, case=row["case_id"])
    except NotFound:
        raise NotFound("no sharing request has this ID", where=request_id) from None
    policy.require(conn, instance, action, case=row["case_id"])
    return row


def decide(instance: Instance, request_id: str, *, approve: bool, reason: str = "") -> None:
    """Approve or refuse someone else's request (a coordinator's); a refusal says why."""
    why = clean_text(reason, "the reason", "reason", required=not approve)
    with recording(instance) as conn:
        lock_log(conn)  # the request's state read below holds until commit
        row = _row(conn, instance, request_id, Action.MANAGE_CASE)
        if row["state"] != "requested":
            raise Conflict("this request was already decided", where=request_id)
        agent_id = acting_agent(conn)
        if row["requested_by"] == agent_id:
            raise PermissionDenied(
                "the person who asked to share a package cannot approve or refuse it",
                where=request_id,
                hint="a second person, a coordinator of the case, decides",
            )
        state = "approved" if approve else "refused"
        queries.change(conn, request_id, {"state": state, "decided_by": agent_id,
                                          "decided_at": utc_timestamp(), "reason": why})  # fmt: skip
        _event(conn, row["case_id"], {"change": state, "request": request_id})


def build(
    instance: Instance, request_id: str, progress: Callable[[int, int], None] | None = None
) -> SharingRequest:
    """Build an approved request's package (by the person who approved it, or a coordinator)."""
    with recording(instance) as conn:
        lock_log(conn)
        row = _row(conn, instance, request_id, Action.MANAGE_CASE)
        if row["state"] != "approved":
            raise Conflict(f"the request is {row['state']}, not approved", where=request_id)
        queries.change(conn, request_id, {"state": "building", "done": 0})
    try:
        report = _made(instance, row, progress)
    except Exception as exc:  # any failure: the request says why, and is never left "building"
        failure = exc if isinstance(exc, TestamentError) else _unwritable(exc)
        with recording(instance) as conn:
            queries.change(conn, request_id, {"state": "failed", "reason": failure.what})
        if failure is exc:
            raise
        raise failure from None
    with recording(instance) as conn:
        people = consent.consent_bearing(conn, row["case_id"])
        queries.change(conn, request_id, {
            "state": "ready", "package_id": report.package_id, "built_at": utc_timestamp(),
            "done": int(row["total"]),
            "downloads_left": DOWNLOADS, "people": json.dumps(sorted(people)),
        })  # fmt: skip
    return requests(instance, request_id)[0]


def _unwritable(exc: Exception) -> TestamentError:
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
    return BackendUnavailable(
        f"the package could not be written ({detail})",
        where="the home's packages folder",
        hint="check the disk and the folder's permissions, then ask for the package again",
    )


def _made(
    instance: Instance, row: dict[str, Any], progress: Callable[[int, int], None] | None
) -> PackageReport:
    """Write the request's package under the home, keeping its progress on the request."""
    request_id = row["id"]
    audience = Audience(row["recipient_class"], row["purpose"], row["recipient"])
    out = packages_dir(instance) / f"{request_id}.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)  # what a build cut short by a stopped server left
    wanted = _request(row["case_name"], audience, _restored(row["selection"]), out)
    done, shown = 0, time.monotonic()

    def step(count: int) -> None:
        nonlocal done, shown
        done += count
        if progress is not None:
            progress(done, int(row["total"]))
        if time.monotonic() - shown >= PROGRESS_EVERY:  # for the page's progress bar
            shown = time.monotonic()
            with recording(instance) as conn:
                queries.change(conn, request_id, {"done": done})

    return create.create(instance, wanted, progress=step)


def download(instance: Instance, request_id: str) -> tuple[Path, str]:
    """The built package for the person who asked, and the file name to give it; an ``access`` event.
    At most :data:`DOWNLOADS` times."""
    with recording(instance) as conn:
        lock_log(conn)
        row = _row(conn, instance, request_id, Action.ANALYSE)  # as asking needed
        if row["requested_by"] != acting_agent(conn):
            raise PermissionDenied("only the person who asked may download this package",
                                   where=request_id)  # fmt: skip
        if row["state"] != "ready":
            raise Conflict(f"the package is {row['state']}, not ready", where=request_id)
        if row["downloads_left"] <= 0:
            raise PermissionDenied("this package was downloaded as many times as allowed",
                                   where=request_id, hint="ask for it to be shared again")  # fmt: skip
        if queries.withdrawals_since(conn, json.loads(row["people"]), row["built_at"]):
            raise ConsentRequired(
                "consent this package relied on was withdrawn after it was made: it is not handed "
                "over", where=request_id, hint="ask for a new package; the register says whom to tell",
            )  # fmt: skip
        path = packages_dir(instance) / f"{request_id}.zip"
        if not path.is_file():
            raise NotFound("the package file is missing from this home", where=request_id)
        queries.change(conn, request_id, {"downloads_left": row["downloads_left"] - 1})
        event = custody.NewEvent(
            CustodyEventType.ACCESS, acting_agent(conn), case_id=row["case_id"],
            detail={"object": "package", "action": "download", "request": request_id,
                    "package": row["package_id"]},
        )  # fmt: skip
        custody.record(conn, [event])
    return path, f"testament-package-{row['package_id']}.zip"


def _view(row: dict[str, Any], names: dict[int, str], agent_id: int | None) -> SharingRequest:
    selection = json.loads(row["selection"])
    return SharingRequest(
        id=row["id"], case=row["case_name"], recipient=row["recipient"],
        recipient_class=row["recipient_class"], purpose=row["purpose"],
        items=tuple(selection["items"]), incidents=tuple(selection["incidents"]),
        state=row["state"], requested_by=names.get(row["requested_by"], ""),
        requested_at=row["requested_at"],
        decided_by=names.get(row["decided_by"]) if row["decided_by"] else None,
        decided_at=row["decided_at"], reason=row["reason"], package_id=row["package_id"],
        done=int(row["done"]), total=int(row["total"]), downloads_left=int(row["downloads_left"]),
        built_at=row["built_at"], mine=row["requested_by"] == agent_id,
    )  # fmt: skip


def requests(instance: Instance, request_id: str | None = None) -> list[SharingRequest]:
    """The sharing requests of the cases the principal may read (or one of them), newest first."""
    with read_transaction(instance.engine) as conn:
        if request_id is not None:
            rows = [_row(conn, instance, request_id, Action.READ)]
        else:
            policy.require(conn, instance, Action.READ)
            rows = queries.requests(conn, policy.readable_cases(conn, instance))
        agents = {r["requested_by"] for r in rows} | {
            r["decided_by"] for r in rows if r["decided_by"]
        }
        names = {i: who["name"] for i, who in create.agent_names(conn, agents).items()}
        agent_id = queries.agent_named(conn, *identity_of(instance))
        return [_view(row, names, agent_id) for row in rows]


def register(instance: Instance) -> list[RegisterEntry]:
    """The disclosure register: every package shared, and whom to tell of a consent withdrawn since."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        rows = [
            r for r in queries.requests(conn, policy.readable_cases(conn, instance))
            if r["state"] == "ready"
        ]  # fmt: skip
        entries = []
        for row in rows:
            withdrawn = queries.withdrawals_since(conn, json.loads(row["people"]), row["built_at"])
            entries.append(RegisterEntry(
                package_id=row["package_id"], case=row["case_name"], recipient=row["recipient"],
                recipient_class=row["recipient_class"], purpose=row["purpose"],
                shared_at=row["built_at"], bytes=int(row["total"]),
                withdrawals=tuple(when for _, when in withdrawn),
            ))  # fmt: skip
    return entries


def interrupted(instance: Instance) -> list[str]:
    """Mark failed, with the reason, the packages a stopped server left being made (run at start-up,
    as the owner): their requests can then be asked for again. Returns their IDs."""
    with recording(instance) as conn:
        stuck = [r["id"] for r in queries.requests(conn, None) if r["state"] == "building"]
        for request_id in stuck:
            queries.change(conn, request_id, {
                "state": "failed",
                "reason": "the server stopped while the package was being made; ask for it again",
            })  # fmt: skip
    return stuck
