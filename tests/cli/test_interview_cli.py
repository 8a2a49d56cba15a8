"""`testament interview …` and `testament user train` from a documenter's terminal."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from testament.accounts import accounts
from testament.custody import cases
from testament.custody import instance as instance_service
from testament.survivors import consent, identity
from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY

ACCOUNT = "Вони забрали мого брата з підвалу на світанку."
RISKS = ("--risks-person", "seen with us", "--risks-family", "none", "--risks-staff", "none")


def _survivor(cli: Cli) -> str:
    """A case with a consenting person and two documenters (set up through the services)."""
    cli("init", check=True)
    inst = instance_service.open_instance(cli.settings)
    try:
        cases.create_case(inst, "Case A")
        person_id, _ = identity.add_person(inst, "Case A", identity.Identity(name="Halyna P."))
        consent.grant(
            inst,
            person_id,
            consent.GrantInput(
                "criminal-investigation",
                "icc-otp",
                info_sheet_version="1",
                understanding_checked=True,
            ),
        )
        for username in ("iryna", "taras"):
            accounts.create_user(inst, username, "correct horse battery staple")
            accounts.grant_role(inst, username, "Case A", "documenter")
    finally:
        inst.close()
    return person_id


def _record(
    cli: Cli, person: str, assessment: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return cli(
        "interview", "record", person, "--assessment", assessment, "--interviewer", "iryna",
        "--started", "2024-03-01T10:00+02:00", "--ended", "2024-03-01T11:00+02:00",
        "--timezone", "Europe/Kyiv", "--place", "partner office", "--language", "uk",
        "--present", "interviewer", "--present", "psychologist",
        "--contact-via", "legal aid NGO", "--intended-use", "criminal-investigation",
        "--recipient-class", "icc-otp",
        "--why-needed", "no other account exists", "--best-interests", "specialist judged it safe",
        *extra,
    )  # fmt: skip


def test_assess_record_show_and_list(cli: Cli, tmp_path: Path) -> None:
    person = _survivor(cli)
    made = cli("interview", "assess", person, *RISKS, "--decision", "proceed", "--json", check=True)
    assessment = json.loads(made.stdout)["id"]
    (tmp_path / "account.txt").write_text(ACCOUNT, encoding="utf-8")
    recorded = _record(
        cli, person, assessment, "--account-file", str(tmp_path / "account.txt"),
        "--summary", "Detention of a relative.", "--fact", "saw:soldiers searched the cellars",
        "--fact", "heard:he was taken to the school", "--nothing-promised", "--json",
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    testimony_id = json.loads(recorded.stdout)["id"]
    sealed = cli("interview", "show", testimony_id, check=True)
    assert "sealed" in sealed.stdout and ACCOUNT not in sealed.stdout
    assert "2024-03-01T10:00:00+02:00" in sealed.stdout  # local time beside UTC
    revealed = cli(
        "interview", "show", testimony_id, "--reveal", "--reason", "case file", check=True
    )
    assert ACCOUNT in revealed.stdout
    assert "summary (not the person's words)" in revealed.stdout
    assert "fact 1 (saw): soldiers searched the cellars" in revealed.stdout
    no_reason = cli("interview", "show", testimony_id, "--reveal")
    assert no_reason.returncode == 2 and "purpose" in no_reason.stderr
    [listed] = [
        json.loads(x) for x in cli("interview", "list", person, "--json").stdout.splitlines()
    ]
    assert listed["id"] == testimony_id and ACCOUNT not in json.dumps(listed)


def test_every_unmet_requirement_is_printed_without_the_words(cli: Cli) -> None:
    person = _survivor(cli)
    made = cli("interview", "assess", person, "--flag", "child", *RISKS, "--json", check=True)
    refer = json.loads(made.stdout)["id"]
    refused = _record(cli, person, refer, "--account", ACCOUNT, "--given", "food parcel")
    assert refused.returncode == 2, refused.stderr
    stderr = refused.stderr
    for option in ("--assessment", "--guardian-consent", "--child-assent", "--interviewer"):
        assert f"{option}:" in stderr
    assert "decided refer" in stderr and ACCOUNT not in stderr
    no_override = cli(
        "interview", "assess", person, "--flag", "child", *RISKS, "--decision", "proceed"
    )
    assert no_override.returncode == 2 and "--override-reason" in no_override.stderr


def test_a_trained_interviewer_records_a_childs_account(cli: Cli) -> None:
    person = _survivor(cli)
    made = cli(
        "interview", "assess", person, "--flag", "child", *RISKS, "--decision", "proceed",
        "--override-reason", "specialist present", "--json", check=True,
    )  # fmt: skip
    assessment = json.loads(made.stdout)["id"]
    both = ("--guardian-consent", "--child-assent", "--account", ACCOUNT, "--nothing-promised")
    untrained = _record(cli, person, assessment, *both)
    assert untrained.returncode == 4 and "MC-08" in untrained.stderr
    for topic in ("trauma-informed-interviewing", "child-interviewing"):
        cli("user", "train", "iryna", "--topic", topic, "--attested", "2023-05-01", check=True)
    listed = cli("user", "training", "iryna", check=True).stdout
    assert "child-interviewing" in listed and "active" in listed
    trained = _record(cli, person, assessment, *both, "--given", "bus fare")
    assert trained.returncode == 2  # --nothing-promised and --given together
    recorded = _record(cli, person, assessment, *both)
    assert recorded.returncode == 0, recorded.stderr
    cli("user", "untrain", "iryna", "--topic", "child-interviewing", check=True)
    again = _record(cli, person, assessment, *both, "--reinterview-justification", "lost notes")
    assert again.returncode == 4 and "child-interviewing" in again.stderr


def test_a_promise_is_recorded_with_a_warning(cli: Cli) -> None:
    person = _survivor(cli)
    made = cli("interview", "assess", person, *RISKS, "--decision", "proceed", "--json", check=True)
    assessment = json.loads(made.stdout)["id"]
    bad_fact = _record(
        cli, person, assessment, "--account", ACCOUNT, "--fact", "rumour", "--given", "x"
    )
    assert bad_fact.returncode == 2 and "--fact" in bad_fact.stderr
    given = _record(cli, person, assessment, "--account", ACCOUNT, "--given", "bus fare refunded")
    assert given.returncode == 0, given.stderr
    assert "warning:" in given.stderr and "CSO-06" in given.stderr
