"""Entry point: command groups, and the one place where errors become diagnoses and exit codes."""

from __future__ import annotations

import os
import sys

import click

from testament import __version__
from testament.cli.lazy import LazyCommand, LazyGroup
from testament.errors import TestamentError

INTERNAL_ERROR_EXIT = 70


# Each subcommand: where it lives, and its short help for `testament --help` (kept equal to the
# command's own by tests/cli/test_lazy_commands.py). Its module is imported only when it is used.
COMMANDS: dict[str, LazyCommand] = {
    "init": LazyCommand(
        "testament.cli.setup:init",
        "Create $TESTAMENT_HOME (database, instance keys, vault), or upgrade an existing one.",
    ),
    "ingest": LazyCommand(
        "testament.cli.ingest:ingest",
        "Hash, store and record files and directories (recursively) as evidence.",
    ),
    "verify": LazyCommand(
        "testament.cli.verify:verify",
        "Check the vault, the custody records, the log and every checkpoint (docs/verification.md).",
    ),
    "vault": LazyCommand(
        "testament.cli.vault:vault_group",
        "Look after the vault: partial files that a crash left in its staging area.",
    ),
    "log": LazyCommand(
        "testament.cli.log:log",
        "Inspect the custody log and export proofs a stranger can check offline.",
    ),
    "taxonomy": LazyCommand(
        "testament.cli.taxonomy:taxonomy",
        "The Rome Statute taxonomy and the controlled vocabularies (YAML a lawyer can review).",
    ),
    "gazetteer": LazyCommand(
        "testament.cli.gazetteer:gazetteer",
        "Administrative areas (GeoJSON outlines) that incidents are placed in.",
    ),
    "case": LazyCommand(
        "testament.cli.case:case_group",
        "Cases: investigation workspaces grouping incidents, evidence and people.",
    ),
    "situation": LazyCommand(
        "testament.cli.case:situation_group",
        "Situations: the conflict context, its characterisation and the Statute amendments in force.",
    ),
    "incident": LazyCommand(
        "testament.cli.incident:incident_group",
        "Incidents: what happened, when, where, to what and with which weapons.",
    ),
    "api": LazyCommand(
        "testament.cli.api:api_group",
        "The JSON API (OpenAPI document at /docs and /openapi.json).",
    ),
    "serve": LazyCommand(
        "testament.cli.serve:serve",
        "Serve Testament in a browser.",
    ),
    "person": LazyCommand(
        "testament.cli.person:person_group",
        "People in a case, by label (a pseudonym or public name), and their roles in incidents.",
    ),
    "consent": LazyCommand(
        "testament.cli.consent:consent_group",
        "A person's informed consent: one grant per purpose and recipient class; every use asks it.",
    ),
    "disclosure": LazyCommand(
        "testament.cli.disclosure:disclosure_group",
        "Named exports: one person asks, a different person approves, the export uses it once.",
    ),
    "package": LazyCommand(
        "testament.cli.package:package_group",
        "Evidence packages: make one for an investigator, verify one offline, or import a partner's.",
    ),
    "registry": LazyCommand(
        "testament.cli.registry:registry_group",
        "Privacy-preserving encodings of names, to ask partners whether they interviewed someone.",
    ),
    "unit": LazyCommand(
        "testament.cli.unit:unit_group",
        "Military and security units, shared by every case of this instance.",
    ),
    "source": LazyCommand(
        "testament.cli.source:source_group",
        "Sources of information: web pages, documents, people, organisations …",
    ),
    "evidence": LazyCommand(
        "testament.cli.evidence:evidence_group",
        "Evidence items' links to incidents and their verification (Berkeley Protocol).",
    ),
    "tag": LazyCommand(
        "testament.cli.bulk:tag_group",
        "Free tags on evidence items and incidents: add, remove, list.",
    ),
    "legal": LazyCommand(
        "testament.cli.legal:legal_group",
        "Preliminary legal qualification: candidate crime codes, element links and the proof chart.",
    ),
    "review": LazyCommand(
        "testament.cli.review:review_group",
        "Review and verification: states, assignments, comments and your queue.",
    ),
    "analyze": LazyCommand(
        "testament.cli.analyze:analyze_group",
        "Pattern analyses over a case or a situation: counts, spikes, repeats, clusters, units.",
    ),
    "report": LazyCommand(
        "testament.cli.report:report_group",
        "Reports as PDF or HTML: an incident's dossier, a case's proof chart, a pattern report.",
    ),
    "search": LazyCommand(
        "testament.cli.search:search_group",
        "Full-text search over incidents, sources, people and evidence notes.",
    ),
    "import": LazyCommand(
        "testament.cli.transfer:import_group",
        "Import incidents and sources from TimeMap JSON, CSV (through a mapping) or Testament JSON Lines.",
    ),
    "export": LazyCommand(
        "testament.cli.transfer:export_group",
        "Export a case's incidents: jsonl (lossless, re-importable), csv, geojson or timemap.",
    ),
    "user": LazyCommand(
        "testament.cli.user:user_group",
        "User accounts and their roles on cases.",
    ),
    "service": LazyCommand(
        "testament.cli.support:service_group",
        "The directory of support services that people can be referred to (shared by every case).",
    ),
    "need": LazyCommand(
        "testament.cli.support:need_group",
        "A person's support needs: each area assessed with its urgency and a sealed note.",
    ),
    "referral": LazyCommand(
        "testament.cli.support:referral_group",
        "Referrals of needs to services of the directory, and their follow-ups.",
    ),
    "worker": LazyCommand(
        "testament.cli.pipeline:worker",
        "Process evidence and web captures in the background, until stopped (Ctrl-C).",
    ),
    "reprocess": LazyCommand(
        "testament.cli.pipeline:reprocess",
        "Process a case's evidence again (after a tool is upgraded or a kind is added).",
    ),
    "jobs": LazyCommand(
        "testament.cli.pipeline:jobs",
        "List processing and capture jobs and their state, newest first.",
    ),
    "capture": LazyCommand(
        "testament.cli.pipeline:capture",
        "Preserve a web page as evidence (a WACZ), and wait for the capture.",
    ),
    "interview": LazyCommand(
        "testament.cli.testimony:interview_group",
        "Risk assessments and testimonies: no account is taken before the risk gate and consent.",
    ),
}


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="testament")
@click.option(
    "--as",
    "act_as",
    metavar="USER",
    help="Act as this account: its roles are checked and it is the agent of the custody events "
    "(TESTAMENT_ACT_AS). Default: the instance owner, who may do everything.",
)
def cli(act_as: str | None) -> None:
    """Testament: preserve evidence with a chain of custody anyone can verify offline.

    Settings come from TESTAMENT_* environment variables (see docs/configuration.md);
    TESTAMENT_HOME (default ./testament-data) holds the database, keys and vault.
    """
    if act_as is not None:
        # Settings are read from the environment by each command; --as is the setting for this one
        # command, and no longer once it ends (the CLI may run in process, as its tests do).
        before = os.environ.get("TESTAMENT_ACT_AS")
        os.environ["TESTAMENT_ACT_AS"] = act_as
        click.get_current_context().call_on_close(lambda: _restore("TESTAMENT_ACT_AS", before))


def _restore(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; print a diagnosis (never a traceback) and exit non-zero on failure."""
    try:
        cli.main(args=argv, prog_name="testament", standalone_mode=False)
    except TestamentError as exc:
        click.echo(exc.diagnostics(), err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("error: interrupted; nothing half-written is kept", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("error: interrupted; nothing half-written is kept", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("TESTAMENT_DEBUG"):
            raise
        click.echo(
            f"error: internal error ({type(exc).__name__}); nothing half-written is kept\n"
            "  what to do: re-run with TESTAMENT_DEBUG=1 for details and report it",
            err=True,
        )
        sys.exit(INTERNAL_ERROR_EXIT)


if __name__ == "__main__":
    main()
