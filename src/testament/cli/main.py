"""Entry point: command groups, and the one place where errors become diagnoses and exit codes."""

from __future__ import annotations

import os
import sys

import click

from testament import __version__
from testament.cli import api as api_cmd
from testament.cli import case as case_cmd
from testament.cli import consent as consent_cmd
from testament.cli import disclosure as disclosure_cmd
from testament.cli import evidence as evidence_cmd
from testament.cli import gazetteer as gazetteer_cmd
from testament.cli import incident as incident_cmd
from testament.cli import ingest as ingest_cmd
from testament.cli import legal as legal_cmd
from testament.cli import log as log_cmd
from testament.cli import person as person_cmd
from testament.cli import registry as registry_cmd
from testament.cli import search as search_cmd
from testament.cli import serve as serve_cmd
from testament.cli import setup as setup_cmd
from testament.cli import source as source_cmd
from testament.cli import support as support_cmd
from testament.cli import taxonomy as taxonomy_cmd
from testament.cli import testimony as testimony_cmd
from testament.cli import transfer as transfer_cmd
from testament.cli import unit as unit_cmd
from testament.cli import user as user_cmd
from testament.cli import vault as vault_cmd
from testament.cli import verify as verify_cmd
from testament.errors import TestamentError

INTERNAL_ERROR_EXIT = 70


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="testament")
def cli() -> None:
    """Testament: preserve evidence with a chain of custody anyone can verify offline.

    Settings come from TESTAMENT_* environment variables (see docs/configuration.md);
    TESTAMENT_HOME (default ./testament-data) holds the database, keys and vault.
    """


cli.add_command(setup_cmd.init)
cli.add_command(ingest_cmd.ingest)
cli.add_command(verify_cmd.verify)
cli.add_command(vault_cmd.vault_group)
cli.add_command(log_cmd.log)
cli.add_command(taxonomy_cmd.taxonomy)
cli.add_command(gazetteer_cmd.gazetteer)
cli.add_command(case_cmd.case_group)
cli.add_command(case_cmd.situation_group)
cli.add_command(incident_cmd.incident_group)
cli.add_command(api_cmd.api_group)
cli.add_command(serve_cmd.serve)
cli.add_command(person_cmd.person_group)
cli.add_command(consent_cmd.consent_group)
cli.add_command(disclosure_cmd.disclosure_group)
cli.add_command(registry_cmd.registry_group)
cli.add_command(unit_cmd.unit_group)
cli.add_command(source_cmd.source_group)
cli.add_command(evidence_cmd.evidence_group)
cli.add_command(legal_cmd.legal_group)
cli.add_command(search_cmd.search_group)
cli.add_command(transfer_cmd.import_group)
cli.add_command(transfer_cmd.export_group)
cli.add_command(user_cmd.user_group)
cli.add_command(support_cmd.service_group)
cli.add_command(support_cmd.need_group)
cli.add_command(support_cmd.referral_group)
cli.add_command(testimony_cmd.interview_group)


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
