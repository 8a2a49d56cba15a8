"""Every path that uses a survivor's testimony or identity asks one consent gate (docs/survivors.md).

The person consented to ``criminal-investigation`` for a ``national-prosecutor`` only, and once, without
the check that they understood it, to ``advocacy-publication`` for ``media-public`` (a grant stored before
that check was required: it must not count). Each path below (the service use cases, the API routes, the
intake's forms, the command line and every export format) is asked for the uncovered use and must refuse
it, naming the missing purpose and recipient class and never the person, with nothing written. The
second test fails when a route or a command that touches testimonies, consent, exports or referrals is
added without being listed here. A referral of the person's need to a support service is a later use
too (``referral-support`` to a ``partner-organisation``), which they never consented to: each referral
path refuses it, and a grant for it lets each through.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from testament.accounts import accounts
from testament.cli.main import cli as cli_root
from testament.custody import cases
from testament.custody.instance import Instance, acting_as
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.errors import ConsentRequired, InvalidInput
from testament.storage import tables
from testament.storage.engine import read_transaction, write_transaction
from testament.survivors import consent, directory, identity, referrals, testimony
from testament.transfer import disclosure, exports
from tests.conftest import SQLITE_ONLY, Cli
from tests.web.conftest import OPERATOR
from tests.web.test_pages import PASSWORD, _csrf, _signed_in

CASE = "Case A"
NAME = "Halyna Petrenko"
PURPOSE, RECIPIENT = "advocacy-publication", "media-public"  # the use nobody consented to
REFERRAL = ("referral-support", "partner-organisation")  # nor to a referral
GIVEN = consent.GrantInput(
    purpose="criminal-investigation",
    recipient_class="national-prosecutor",
    info_sheet_version="2026-1",
    understanding_checked=True,
)
RISKS = {"risks_person": "seen with us", "risks_family": "none", "risks_staff": "none"}
RECORD = {
    "interviewer": "dana",
    "started_at": "2024-03-01T10:00:00+02:00",
    "timezone": "Europe/Kyiv",
    "place": "partner office",
    "language": "uk",
    "contact_via": "legal aid NGO",
    "account": "They took my brother from the cellar.",
    "nothing_promised": True,
    "why_needed": "no other account exists",
}


def _unconfirmed_grant(instance: Instance, person_id: str) -> None:
    """A grant for the uncovered use as stored before the understanding check was required."""
    with write_transaction(instance.engine) as conn:
        agent = conn.execute(select(func.min(tables.agent.c.id))).scalar_one()
        conn.execute(
            insert(tables.consent_grant).values(
                id="00000000-0000-4000-8000-00000000beef", person_id=person_id, purpose=PURPOSE,
                recipient_class=RECIPIENT, data_scope="all", identifiability="named",
                mode="oral", language="uk", info_sheet_version="2026-1",
                understanding_checked=False, granted_at=utc_timestamp(), recorded_by=agent,
            )
        )  # fmt: skip


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    cases.create_case(instance, CASE)
    users = {}
    for user, role in (("dana", "documenter"), ("ada", "admin"), ("alla", "admin")):
        users[user] = accounts.create_user(instance, user, PASSWORD)
        accounts.grant_role(instance, user, CASE, role)
    person_id, _ = identity.add_person(instance, CASE, identity.Identity(name=NAME))
    consent.grant(instance, person_id, GIVEN)
    _unconfirmed_grant(instance, person_id)
    assessment = testimony.assess_risk(instance, person_id, flags=[], decision="proceed", **RISKS)
    held = testimony.record(
        instance, person_id, risk_assessment_id=assessment, intended_use="criminal-investigation",
        intended_recipient="national-prosecutor", reinterview_justification="", **RECORD,
    )  # fmt: skip
    with acting_as(users["ada"]):
        approval = disclosure.request(instance, CASE, RECIPIENT, PURPOSE, "Kyiv Daily")
    with acting_as(users["alla"]):
        disclosure.approve(instance, approval)
    (need,) = referrals.assess_needs(instance, person_id, [("medical", "urgent", "")])
    clinic = directory.add_service(instance, "Clinic", ["medical"], "Kyiv", "+380 44 000")
    return {"person": person_id, "assessment": assessment, "testimony": held,
            "approval": approval, "need": need, "clinic": clinic}  # fmt: skip


WRITES = (CustodyEventType.DISSEMINATION, CustodyEventType.METADATA_MODIFICATION,
          CustodyEventType.CONSENT_CHANGE, CustodyEventType.CREATION)  # fmt: skip


def _snapshot(instance: Instance) -> tuple[int, ...]:
    """What a refused use must leave as it was: testimonies and what they are held for, grants,
    recorded uses, referrals, and the custody events a use, a change or a grant would add."""
    t = tables
    events = select(func.count()).where(t.custody_event.c.event_type.in_([e.value for e in WRITES]))
    with read_transaction(instance.engine) as conn:
        counts = [
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (t.testimony, t.consent_use, t.consent_grant, t.referral)
        ]
        held = select(func.count()).where(t.testimony.c.intended_use == PURPOSE)
        return (*counts, conn.execute(held).scalar_one(), conn.execute(events).scalar_one())


# --- The paths, each asked for the uncovered use -----------------------------------------------------
# Each returns the refusal's text; the test checks it names the purpose and recipient class.

UsePath = Callable[[Instance, dict[str, Any], Any, Cli], str]


def _service_error(call: Callable[[], object], kind: type[Exception] = ConsentRequired) -> str:
    with pytest.raises(kind) as refused:
        call()
    error = refused.value
    return f"{error} {getattr(error, 'where', '')} {getattr(error, 'errors', '')}"


def service_record(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    return _service_error(lambda: testimony.record(
        inst, w["person"], risk_assessment_id=w["assessment"], intended_use=PURPOSE,
        intended_recipient=RECIPIENT, reinterview_justification="a second, public account",
        **RECORD,
    ))  # fmt: skip


def service_change_use(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    return _service_error(lambda: testimony.change_use(
        inst, w["testimony"], intended_use=PURPOSE, intended_recipient=RECIPIENT
    ))  # fmt: skip


def service_check(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    use = consent.check_use("record", PURPOSE, RECIPIENT, "testimony")
    decision = consent.check(inst, w["person"], use)
    assert not decision.allowed
    return decision.reason


def service_grant_not_understood(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    values = consent.GrantInput(PURPOSE, RECIPIENT, info_sheet_version="1")
    text = _service_error(lambda: consent.grant(inst, w["person"], values), InvalidInput)
    assert "--understood" in text
    return f"{PURPOSE} {RECIPIENT} {text}"  # it refuses whatever the use: the use is what was asked


def _service_export(fmt: str, *, named: bool = False) -> UsePath:
    def path(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
        audience = exports.Audience(RECIPIENT, PURPOSE, "Kyiv Daily")
        approval = w["approval"] if named else None
        sink = io.StringIO()
        text = _service_error(lambda: exports.export(
            inst, fmt, CASE, sink, audience=audience, approval=approval
        ))  # fmt: skip
        assert NAME not in sink.getvalue()
        return text

    return path


def _api_client(site: Any) -> TestClient:
    return TestClient(site, headers={"Authorization": f"Bearer {OPERATOR}"})


def _api_error(response: Any, status: int = 403) -> str:
    assert response.status_code == status, response.text
    return response.text


def api_record(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    body = RECORD | {"risk_assessment_id": w["assessment"], "intended_use": PURPOSE,
                     "intended_recipient": RECIPIENT, "facts": [],
                     "reinterview_justification": "a second, public account"}  # fmt: skip
    return _api_error(_api_client(site).post(f"/api/people/{w['person']}/interviews", json=body))


def api_change_use(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    body = {"intended_use": PURPOSE, "intended_recipient": RECIPIENT}
    return _api_error(_api_client(site).put(f"/api/interviews/{w['testimony']}/use", json=body))


def api_check(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    answer = _api_client(site).get(
        f"/api/people/{w['person']}/consent/check",
        params={"purpose": PURPOSE, "recipient_class": RECIPIENT, "use": "record"},
    )
    assert answer.status_code == 200 and answer.json()["allowed"] is False, answer.text
    return answer.text


def api_grant_not_understood(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    body = {"purpose": PURPOSE, "recipient_class": RECIPIENT, "mode": "oral", "language": "uk",
            "info_sheet_version": "1"}  # fmt: skip
    text = _api_error(_api_client(site).post(f"/api/people/{w['person']}/consent", json=body), 422)
    assert "--understood" in text
    return f"{PURPOSE} {RECIPIENT} {text}"


def _api_export(fmt: str, *, named: bool = False) -> UsePath:
    def path(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
        params = {"format": fmt, "for": RECIPIENT, "purpose": PURPOSE, "recipient": "Kyiv Daily"}
        if named:
            params["approval"] = w["approval"]
        return _api_error(_api_client(site).get(f"/api/cases/{CASE}/export", params=params))

    return path


def form_interview(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    http = _signed_in(site, "dana")
    page = http.get(f"/people/{w['person']}/intake/interview")
    form = {
        "intended_use": PURPOSE, "recipient_class": RECIPIENT, "why_needed": "public account",
        "started": "2024-03-01T10:00", "timezone": "Europe/Kyiv", "place": "partner office",
        "language": "uk", "contact_via": "legal aid NGO", "account": "my words",
        "promised": "nothing", "reinterview_justification": "a second, public account",
    }  # fmt: skip
    answer = http.post(
        f"/people/{w['person']}/intake/interview",
        headers={"X-CSRF-Token": _csrf(page.text)},
        data=form,
    )
    return _api_error(answer, 422)


def form_consent_not_understood(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    http = _signed_in(site, "dana")
    page = http.get(f"/people/{w['person']}/intake/consent")
    assert "explain again in other words" in page.text  # the form says why before anyone posts
    form = {"purpose": PURPOSE, "recipient_class": RECIPIENT, "data_scope": "all",
            "identifiability": "named", "mode": "oral", "language": "uk",
            "info_sheet_version": "1"}  # fmt: skip
    answer = http.post(
        f"/people/{w['person']}/intake/consent",
        headers={"X-CSRF-Token": _csrf(page.text)},
        data=form,
    )
    text = _api_error(answer, 422)
    assert "in their own words" in text
    return f"{PURPOSE} {RECIPIENT} {text}"


def _cli_error(result: Any, code: int = 5) -> str:
    assert result.returncode == code, result.stdout + result.stderr
    return result.stderr


def cli_record(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    return _cli_error(cli(
        "interview", "record", w["person"], "--assessment", w["assessment"],
        "--interviewer", "dana", "--started", "2024-03-01T10:00+02:00",
        "--timezone", "Europe/Kyiv", "--place", "partner office", "--language", "uk",
        "--contact-via", "legal aid NGO", "--account", "my words", "--nothing-promised",
        "--intended-use", PURPOSE, "--recipient-class", RECIPIENT, "--why-needed", "public",
        "--reinterview-justification", "a second, public account",
    ))  # fmt: skip


def cli_change_use(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    return _cli_error(cli(
        "interview", "use", w["testimony"], "--intended-use", PURPOSE,
        "--recipient-class", RECIPIENT,
    ))  # fmt: skip


def cli_check(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    return _cli_error(cli(
        "consent", "check", w["person"], "--use", PURPOSE, "--recipient-class", RECIPIENT,
        "--as", "record",
    ))  # fmt: skip


def cli_grant_not_understood(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    text = _cli_error(cli(
        "consent", "grant", w["person"], "--purpose", PURPOSE, "--recipient-class", RECIPIENT,
        "--mode", "oral", "--language", "uk", "--info-sheet", "1",
    ), InvalidInput.exit_code)  # fmt: skip
    assert "--understood" in text
    return f"{PURPOSE} {RECIPIENT} {text}"


def _cli_export(fmt: str, *, named: bool = False) -> UsePath:
    def path(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
        out = inst.settings.home / f"export.{fmt}"
        approval = ("--approval", w["approval"]) if named else ()
        text = _cli_error(cli(
            "export", fmt, "--case", CASE, "--for", RECIPIENT, "--purpose", PURPOSE,
            "--recipient", "Kyiv Daily", "--out", str(out), *approval,
        ))  # fmt: skip
        assert not out.exists() or NAME not in out.read_text(errors="replace")
        return text

    return path


# --- The referral paths: a later use of the person's data, asked of the same gate ------------------


def service_refer(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    return _service_error(lambda: referrals.refer(inst, w["need"], w["clinic"]))


def service_check_refer(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    use = consent.check_use("refer", *REFERRAL, "all")
    assert use == consent.referral_use()  # `check --as refer` asks what a referral asks
    decision = consent.check(inst, w["person"], use)
    assert not decision.allowed
    return decision.reason


def api_refer(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    body = {"service": w["clinic"]}
    return _api_error(_api_client(site).post(f"/api/needs/{w['need']}/referrals", json=body))


def _refer_form(site: Any, w: dict[str, Any], language: str = "en") -> Any:
    http = _signed_in(site, "dana")
    http.cookies.set("testament_lang", language)
    page = http.get(f"/people/{w['person']}/needs")
    return http.post(
        f"/needs/{w['need']}/referrals",
        headers={"X-CSRF-Token": _csrf(page.text)},
        data={"service": w["clinic"], "follow_up_due": ""},
    )


def form_refer(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    text = _api_error(_refer_form(site, w), 422)
    assert "has not agreed to be referred" in text
    ukrainian = _api_error(_refer_form(site, w, "uk"), 422)
    assert "Особа не погодилася на направлення" in ukrainian
    assert all(code in ukrainian for code in REFERRAL) and NAME not in ukrainian
    return text


def cli_refer(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    return _cli_error(cli("referral", "add", w["need"], "--service", "Clinic"))


def cli_check_refer(inst: Instance, w: dict[str, Any], site: Any, cli: Cli) -> str:
    return _cli_error(cli(
        "consent", "check", w["person"], "--use", REFERRAL[0], "--recipient-class", REFERRAL[1],
        "--as", "refer",
    ))  # fmt: skip


REFERRAL_PATHS: dict[str, UsePath] = {
    "service referrals.refer": service_refer,
    "service consent.check as refer": service_check_refer,
    "POST /needs/{need_id}/referrals": api_refer,
    "form /needs/{need_id}/referrals": form_refer,
    "testament referral add": cli_refer,
    "testament consent check --as refer": cli_check_refer,
}

FORMATS = ("jsonl", "csv", "geojson", "timemap", "testimonies")
PATHS: dict[str, UsePath] = {
    "service testimony.record": service_record,
    "service testimony.change_use": service_change_use,
    "service consent.check": service_check,
    "service consent.grant without understanding": service_grant_not_understood,
    **{f"service exports.export {fmt}": _service_export(fmt) for fmt in FORMATS},
    "service exports.export testimonies, named": _service_export("testimonies", named=True),
    "POST /people/{person_id}/interviews": api_record,
    "PUT /interviews/{testimony_id}/use": api_change_use,
    "GET /people/{person_id}/consent/check": api_check,
    "POST /people/{person_id}/consent": api_grant_not_understood,
    **{f"GET /cases/{{case_name}}/export {fmt}": _api_export(fmt) for fmt in FORMATS},
    "GET /cases/{case_name}/export testimonies, named": _api_export("testimonies", named=True),
    "form /people/{person_id}/intake/interview": form_interview,
    "form /people/{person_id}/intake/consent": form_consent_not_understood,
    "testament interview record": cli_record,
    "testament interview use": cli_change_use,
    "testament consent check": cli_check,
    "testament consent grant": cli_grant_not_understood,
    **{f"testament export {fmt}": _cli_export(fmt) for fmt in FORMATS},
    "testament export testimonies, named": _cli_export("testimonies", named=True),
}

# Routes and commands that touch testimonies, identities or consent but use nothing under consent:
# reading inside the case is governed by roles (and a reveal by a stated reason, logged).
NOT_A_USE = {
    "GET /people/{person_id}/interviews": "metadata only, for readers of the case",
    "GET /interviews/{testimony_id}": "read inside the case; the words need reveal-identity and a reason",
    "POST /people/{person_id}/risk-assessments": "uses no testimony",
    "GET /people/{person_id}/consent": "lists the grants",
    "POST /people/{person_id}/consent/withdraw": "withdraws consent",
    "POST /cases/{case}/named-exports": "a request; the export itself asks consent",
    "POST /named-exports/{approval_id}/approve": "an approval; the export itself asks consent",
    "testament interview assess": "uses no testimony",
    "testament interview show": "read inside the case with a reason, logged",
    "testament interview list": "metadata only",
    "testament consent list": "lists the grants",
    "testament consent withdraw": "withdraws consent",
    "PATCH /referrals/{referral_id}": "follows up a referral; making it asked consent",
    "testament referral update": "follows up a referral; making it asked consent",
    "testament referral due": "lists follow-ups by label and area",
}


@SQLITE_ONLY
def test_every_path_refuses_a_use_the_person_did_not_consent_to(
    instance: Instance, world: dict[str, Any], site: Any, cli: Cli
) -> None:
    asked = [(PATHS, (PURPOSE, RECIPIENT)), (REFERRAL_PATHS, REFERRAL)]
    for paths, (purpose, recipient) in asked:
        for name, path in paths.items():
            before = _snapshot(instance)
            refusal = path(instance, world, site, cli)
            assert purpose in refusal and recipient in refusal, (name, refusal)
            assert NAME not in refusal, name
            assert _snapshot(instance) == before, f"{name} wrote something"


@SQLITE_ONLY
def test_a_grant_for_referral_support_lets_each_referral_path_through(
    instance: Instance, world: dict[str, Any], site: Any, cli: Cli
) -> None:
    consent.grant(instance, world["person"], consent.GrantInput(
        *REFERRAL, identifiability="named", info_sheet_version="2026-1", understanding_checked=True,
    ))  # fmt: skip
    referrals.refer(instance, world["need"], world["clinic"])
    made = _api_client(site).post(
        f"/api/needs/{world['need']}/referrals", json={"service": world["clinic"]}
    )
    assert made.status_code == 201, made.text
    assert _refer_form(site, world).status_code == 303
    cli("referral", "add", world["need"], "--service", "Clinic", check=True)
    cli("consent", "check", world["person"], "--use", REFERRAL[0], "--recipient-class",
        REFERRAL[1], "--as", "refer", check=True)  # fmt: skip
    (need,) = referrals.needs_for_person(instance, world["person"])
    assert len(need.referrals) == 4


def test_every_route_and_command_on_testimonies_consent_or_exports_is_listed(site: Any) -> None:
    api = next(r.app for r in site.routes if getattr(r, "path", "") == "/api")
    routes = {
        f"{method} {route.path}"
        for route in api.routes
        if isinstance(route, APIRoute)
        and any(
            word in route.path
            for word in ("interview", "consent", "export", "assessment", "referral")
        )
        for method in route.methods
    }
    commands = {
        f"testament {group} {name}"
        for group in ("interview", "consent", "export", "referral")
        for name in cli_root.load(group).commands  # type: ignore[attr-defined]
    }
    names = [*PATHS, *REFERRAL_PATHS]
    listed = {name.split(" ", 2)[0] + " " + name.split(" ", 2)[1] for name in names}
    listed |= {" ".join(name.split(" ")[:3]) for name in names if name.startswith("testament")}
    listed |= set(NOT_A_USE)
    assert routes | commands <= listed, sorted((routes | commands) - listed)
