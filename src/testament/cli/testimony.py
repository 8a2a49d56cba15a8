"""`testament interview …`: the risk gate, then a person's testimony in their own words (docs/survivors.md)."""

from __future__ import annotations

from typing import IO, Any

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, echo_created, json_line
from testament.domain import interview as rules


@click.group("interview")
def interview_group() -> None:
    """Risk assessments and testimonies: no account is taken before the risk gate and consent."""


@interview_group.command("assess")
@click.argument("person_id")
@click.option("--flag", "flags", multiple=True, type=click.Choice(rules.FLAGS),
              help="A vulnerability flag (repeat for several).")  # fmt: skip
@click.option("--risks-person", required=True, help="Risks to the person in being interviewed.")
@click.option("--risks-family", required=True, help="Risks to their family and community.")
@click.option("--risks-staff", required=True, help="Risks to the interviewer and staff.")
@click.option("--decision", type=click.Choice(rules.DECISIONS),
              help="Default for a flagged person: refer.")  # fmt: skip
@click.option("--override-reason",
              help="Why a flagged person may be interviewed after all (you sign as supervisor).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def assess(
    person_id: str,
    flags: tuple[str, ...],
    risks_person: str,
    risks_family: str,
    risks_staff: str,
    decision: str | None,
    override_reason: str | None,
    as_json: bool,
) -> None:
    """Record the do-no-harm risk assessment that must come before an interview (CSO-01, CSO-03).

    Do not name anyone in the risks: describe them.
    """
    from testament.survivors import testimony  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        new_id = testimony.assess_risk(
            inst,
            person_id,
            flags=flags,
            risks_person=risks_person,
            risks_family=risks_family,
            risks_staff=risks_staff,
            decision=decision,
            override_reason=override_reason,
        )
    echo_created("risk assessment", new_id, as_json)


def _fact(value: str) -> tuple[str, str]:
    knowledge, sep, statement = value.partition(":")
    if not sep or knowledge.strip() not in rules.KNOWLEDGE:
        raise click.BadParameter(
            f"write SOURCE:TEXT, where SOURCE is {', '.join(rules.KNOWLEDGE)}", param_hint="--fact"
        )
    return statement, knowledge.strip()


@interview_group.command("record")
@click.argument("person_id")
@click.option("--assessment", required=True, help="The risk assessment that decided proceed.")
@click.option("--interviewer", required=True, help="The interviewer's username.")
@click.option(
    "--started", required=True, help="Start, ISO 8601 with its zone (2024-03-01T10:00+02:00)."
)
@click.option("--ended", help="End, ISO 8601 with its zone.")
@click.option("--timezone", "zone", required=True, help="Local IANA time zone (Europe/Kyiv).")
@click.option("--place", required=True, help="Where the interview took place.")
@click.option("--language", required=True, help="The language used (uk, ru, en, crh …).")
@click.option("--interpreter", default="", help="The interpreter, if any.")
@click.option("--present", multiple=True, help="Everyone present, by role (repeat).")
@click.option("--contact-via", required=True, help="How contact was made; who referred the person.")
@click.option("--account-file", type=click.File("r", encoding="utf-8"),
              help="The account in the person's words, from a file ('-': standard input).")  # fmt: skip
@click.option("--account", help="The account as text (prefer --account-file: shells keep history).")
@click.option("--recording", help="An evidence item of the case holding the recording.")
@click.option("--summary", help="A summary, kept apart from the person's words.")
@click.option("--fact", "facts", multiple=True, help="SOURCE:TEXT, SOURCE saw, heard or document.")
@click.option("--nothing-promised", is_flag=True, help="Nothing was promised or given.")
@click.option("--given", help="What was promised or given (e.g. travel expenses).")
@click.option("--guardian-consent", is_flag=True, help="A child's guardian consented.")
@click.option("--child-assent", is_flag=True, help="The child assented.")
@click.option(
    "--reinterview-justification",
    default="",
    help="Why another account of an interviewed person is needed.",
)
@click.option(
    "--intended-use", default="", help="What the account is for: a consent-purposes code (MC-07)."
)
@click.option(
    "--recipient-class",
    "intended_recipient",
    default="",
    help="Who the account is for: a recipient-classes code; consent must cover it and the purpose.",
)
@click.option(
    "--why-needed",
    default="",
    help="Why the information is not already available elsewhere (MC-07).",
)
@click.option("--best-interests", default="",
              help="For a child: why the interview is in the child's best interests (MC-10).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def record(**options: Any) -> None:
    """Record a testimony; every unmet requirement is named at once (CSO-01…08, MC-04, MC-08, MC-10)."""
    from testament.survivors import testimony  # noqa: PLC0415 - imported on use: keeps --help fast

    account_file: IO[str] | None = options["account_file"]
    if account_file is not None and options["account"] is not None:
        raise click.UsageError("give the account as --account-file or --account, not both")
    if options["nothing_promised"] == bool(options["given"]):
        raise click.UsageError("say --nothing-promised, or what was with --given")
    account = account_file.read() if account_file is not None else options["account"]
    with opened() as inst:
        new_id = testimony.record(
            inst,
            options["person_id"],
            risk_assessment_id=options["assessment"],
            interviewer=options["interviewer"],
            started_at=options["started"],
            ended_at=options["ended"],
            timezone=options["zone"],
            place=options["place"],
            language=options["language"],
            interpreter=options["interpreter"],
            present=options["present"],
            contact_via=options["contact_via"],
            account=account,
            recording_item_id=options["recording"],
            summary=options["summary"],
            facts=[_fact(f) for f in options["facts"]],
            nothing_promised=options["nothing_promised"],
            given=options["given"] or "",
            guardian_consent=options["guardian_consent"],
            child_assent=options["child_assent"],
            reinterview_justification=options["reinterview_justification"],
            intended_use=options["intended_use"],
            intended_recipient=options["intended_recipient"],
            why_needed=options["why_needed"],
            best_interests=options["best_interests"],
        )
    warning = rules.promise_warning(options["nothing_promised"])
    if warning:
        click.echo(f"warning: {warning}", err=True)
    echo_created("testimony", new_id, options["as_json"])


FIELDS = (
    "id", "person_id", "interviewer", "started_at", "started_local", "ended_at", "ended_local",
    "place", "language", "interpreter", "present", "contact_via", "recording_item_id",
    "nothing_promised", "given", "guardian_consent", "child_assent", "reinterview_justification",
    "intended_use", "intended_recipient", "why_needed", "best_interests", "risk_assessment_id",
    "recorded_at",
)  # fmt: skip


@interview_group.command("use")
@click.argument("testimony_id")
@click.option(
    "--intended-use", required=True, help="What the account is now for (consent-purposes)."
)
@click.option("--recipient-class", required=True, help="Who it is now for (recipient-classes).")
def change_use(testimony_id: str, intended_use: str, recipient_class: str) -> None:
    """Change what a testimony is held for; refused (exit 5) unless consent covers the new use."""
    from testament.survivors import testimony  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        testimony.change_use(
            inst, testimony_id, intended_use=intended_use, intended_recipient=recipient_class
        )
    click.echo(f"Testimony {testimony_id} is now held for {intended_use} to {recipient_class}")


@interview_group.command("show")
@click.argument("testimony_id")
@click.option("--reveal", is_flag=True, help="Unseal the account (recorded with your reason).")
@click.option("--reason", help="Why you open the account; recorded, so name no one.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def show(testimony_id: str, reveal: bool, reason: str | None, as_json: bool) -> None:
    """Show a testimony's record; with --reveal --reason, the person's words too."""
    from testament.survivors import testimony  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.survivors.results import (  # noqa: PLC0415 - as above
        TestimonyDescribed,
        TestimonyShown,
    )

    if reason is not None and not reveal:
        raise click.UsageError("--reason goes with --reveal")
    with opened() as inst:
        if reveal:
            data: TestimonyShown | TestimonyDescribed = testimony.show(
                inst, testimony_id, reveal_reason=reason or ""
            )
        else:
            data = testimony.describe(inst, testimony_id)
    if as_json:
        json_line(data)
        return
    for key in FIELDS:
        value = getattr(data, key)
        shown = ", ".join(value) if isinstance(value, list) else value
        click.echo(f"{key:>26}: {'-' if shown in (None, '') else shown}")
    if isinstance(data, TestimonyDescribed):
        facts = ", ".join(f.knowledge for f in data.facts)
        click.echo(f"{'words':>26}: sealed (account: {data.has_account}, facts: {facts or '-'})")
        return
    click.echo(f"\naccount (the person's words):\n{data.account or '-'}")
    if data.summary:
        click.echo(f"\nsummary (not the person's words):\n{data.summary}")
    for fact in data.facts:
        click.echo(f"\nfact {fact.position} ({fact.knowledge}): {fact.statement}")


@interview_group.command("list")
@click.argument("person_id")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_command(person_id: str, as_json: bool) -> None:
    """A person's testimonies, oldest first (never their words)."""
    from testament.survivors import testimony  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        rows = testimony.list_for_person(inst, person_id)
    for row in rows:
        if as_json:
            json_line(row)
        else:
            click.echo(f"{row.id}  {row.started_at}  {row.language}  {row.interviewer}")
