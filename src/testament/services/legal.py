"""The legal taxonomy as a user meets it: checking a reviewed copy of the YAML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from testament.errors import NotFound
from testament.taxonomy import loader
from testament.taxonomy.lint import lint


@dataclass(frozen=True)
class TaxonomyCheck:
    crimes: int
    contexts: int
    vocabularies: int
    terms: int
    problems: list[str]


def check_taxonomy(directory: Path | None = None) -> TaxonomyCheck:
    """Load and lint the taxonomy in ``directory`` (default: the one shipped with Testament)."""
    if directory is not None and not (directory / "rome_statute.yaml").is_file():
        raise NotFound(
            "no rome_statute.yaml in this directory",
            where=str(directory),
            hint="point --dir at a copy of src/testament/taxonomy",
        )
    taxonomy = loader.load(directory or loader.DATA)
    return TaxonomyCheck(
        crimes=len(taxonomy.crimes),
        contexts=len(taxonomy.contexts),
        vocabularies=len(taxonomy.vocabularies),
        terms=sum(len(v.terms) for v in taxonomy.vocabularies),
        problems=lint(taxonomy),
    )
