"""`testament taxonomy …`: the legal taxonomy and controlled vocabularies."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from testament.cli.output import json_line
from testament.locale import LANGUAGES


@click.group()
def taxonomy() -> None:
    """The Rome Statute taxonomy and the controlled vocabularies (YAML a lawyer can review)."""


@taxonomy.command("lint")
@click.option("--dir", "directory", type=click.Path(path_type=Path),
              help="Check an edited copy instead of the shipped taxonomy.")  # fmt: skip
def lint_command(directory: Path | None) -> None:
    """Check the taxonomy for duplicate codes, dangling references and missing labels."""
    from testament.documentation import legal  # noqa: PLC0415 - imported on use: keeps --help fast

    result = legal.check_taxonomy(directory)
    for problem in result.problems:
        click.echo(f"problem: {problem}", err=True)
    summary = (
        f"{result.crimes} crimes, {result.contexts} contextual element sets, "
        f"{result.vocabularies} vocabularies with {result.terms} terms"
    )
    if result.problems:
        click.echo(
            f"error: {len(result.problems)} problem(s) in the taxonomy ({summary})", err=True
        )
        sys.exit(1)
    click.echo(f"The taxonomy is consistent: {summary}")


@taxonomy.command("terms")
@click.argument("vocabulary")
@click.option("--lang", "language", type=click.Choice(list(LANGUAGES)), default="en",
              show_default=True, help="The language of the labels.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def terms_command(vocabulary: str, language: str, as_json: bool) -> None:
    """List the terms of a vocabulary.

    The codes and labels of VOCABULARY (incident-types, target-object-types, weapon-systems, …).
    """
    from testament.documentation import legal  # noqa: PLC0415 - imported on use: keeps --help fast

    for term in legal.vocabulary_terms(vocabulary, language):
        if as_json:
            json_line(term)
        else:
            click.echo(f"{term.code}  {term.label}")
