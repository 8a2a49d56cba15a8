"""Every public use case asks the policy: the list of use cases is read from the code, and each one is
either in a capability's table of calls (tests/policy/test_<capability>.py, whose tests prove it refuses
an account without the role) or named here as not a use case, with the reason.

A use case is a public function of a capability module whose first parameter is the instance.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import testament

CAPABILITIES = (
    "custody",
    "accounts",
    "documentation",
    "survivors",
    "transfer",
    "packages",
    "pipeline",
    "patterns",
    "review",
)
TABLES = tuple(f"tests.policy.test_{name}" for name in CAPABILITIES)
SOURCE = Path(testament.__file__).parent


def use_cases() -> set[str]:
    """``module.function`` for each public function whose first parameter is ``instance``."""
    found: set[str] = set()
    for capability in CAPABILITIES:
        for path in sorted((SOURCE / capability).glob("*.py")):
            for node in ast.parse(path.read_text()).body:
                if (
                    isinstance(node, ast.FunctionDef)
                    and not node.name.startswith("_")
                    and node.args.args
                    and node.args.args[0].arg in {"instance", "inst"}
                ):
                    found.add(f"{capability}.{path.stem}.{node.name}")
    return found


def listed() -> tuple[dict[str, str], dict[str, str]]:
    """Where each use case is listed: its table of calls, or the reason it is not a use case."""
    calls: dict[str, str] = {}
    exempt: dict[str, str] = {}
    for table in TABLES:
        module = importlib.import_module(table)
        capability = table.rsplit("_", 1)[-1]
        for name in module.USE_CASES:
            calls[f"{capability}.{name}"] = table
        for name, why in module.NOT_USE_CASES.items():
            exempt[f"{capability}.{name}"] = why
    return calls, exempt


def test_every_use_case_is_listed_once() -> None:
    calls, exempt = listed()
    assert not set(calls) & set(exempt), sorted(set(calls) & set(exempt))
    assert all(why.strip() for why in exempt.values())
    missing = use_cases() - set(calls) - set(exempt)
    assert not missing, f"use cases with no refusal test: {sorted(missing)}"
    gone = (set(calls) | set(exempt)) - use_cases()
    assert not gone, f"listed but no longer use cases: {sorted(gone)}"
