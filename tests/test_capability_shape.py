"""Each capability keeps its SQL in one place and answers with typed results (issue 14, parts 3 and 5).

- SQL lives in a capability's query modules: ``queries.py``, ``repository.py`` or a ``queries/``
  package. Every other module of a capability reads as the domain: it calls no ``execute`` (nor
  ``scalar``, ``scalars``, ``exec_driver_sql``) and imports from SQLAlchemy only types to annotate with
  (``Connection``, ``Engine``) and its exceptions.
- A use case (a public function of a capability whose first parameter is the instance) returns a result
  type (``testament.domain.results.Result``), a plain value (an ID, a version, a count), or a list of
  those: never a dict, a mapping, ``Any`` or a database row.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "testament"
CAPABILITIES = (
    "custody",
    "accounts",
    "documentation",
    "survivors",
    "transfer",
    "search",
    "packages",
    "pipeline",
    "patterns",
    "review",
)
QUERY_MODULE_NAMES = ("queries.py", "repository.py")
SQL_CALLS = {"execute", "scalar", "scalars", "exec_driver_sql"}
SQL_TYPES = {"Connection", "Engine"}
UNTYPED = ("dict", "Mapping", "Any", "Row")

# The search engines are dialect adapters: each is the query module of its own back end.
ENGINES = {
    "search/postgres_fts.py": "the PostgreSQL full-text engine",
    "search/sqlite_fts.py": "the SQLite FTS5 engine",
}


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for capability in CAPABILITIES:
        for path in sorted((PACKAGE / capability).rglob("*.py")):
            name = path.relative_to(PACKAGE).as_posix()
            found.append((name, ast.parse(path.read_text(encoding="utf-8"), filename=name)))
    return found


def _is_query_module(name: str) -> bool:
    return name.endswith(QUERY_MODULE_NAMES) or "/queries/" in name or name in ENGINES


def sql_in(tree: ast.Module) -> list[str]:
    """What in a module is SQL: a call that runs a statement, or a SQLAlchemy construct imported."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
        ):
            found.append(f"line {node.lineno}: .{node.func.attr}(…)")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            if node.module == "sqlalchemy.exc":
                continue
            names = [alias.name for alias in node.names if alias.name not in SQL_TYPES]
            if names:
                found.append(f"line {node.lineno}: imports {', '.join(names)} from {node.module}")
        elif isinstance(node, ast.Import) and any(
            a.name.startswith("sqlalchemy") for a in node.names
        ):
            found.append(f"line {node.lineno}: imports sqlalchemy")
    return found


def untyped_use_cases(name: str, tree: ast.Module) -> list[str]:
    found = []
    for node in tree.body:
        if (
            isinstance(node, ast.FunctionDef)
            and not node.name.startswith("_")
            and node.args.args
            and node.args.args[0].arg in {"instance", "inst"}
        ):
            returns = ast.unparse(node.returns) if node.returns else "nothing declared"
            if node.returns is None or any(word in returns for word in UNTYPED):
                found.append(f"{name}:{node.name}")
    return found


def test_sql_is_only_in_query_modules() -> None:
    held = {name: sql_in(tree) for name, tree in _modules() if not _is_query_module(name)}
    held = {name: found for name, found in held.items() if found}
    assert not held, "SQL outside the query modules (move it to the capability's queries):\n" + (
        "\n".join(f"{name} {', '.join(found)}" for name, found in sorted(held.items()))
    )


def test_use_cases_return_typed_results() -> None:
    untyped = []
    for name, tree in _modules():
        untyped += untyped_use_cases(name, tree)
    assert not untyped, "use cases answering with a dict (give the result a type):\n" + "\n".join(
        untyped
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("conn.execute(q)", ["line 1: .execute(…)"]),
        ("from sqlalchemy import Connection, select", ["line 1: imports select from sqlalchemy"]),
        ("from sqlalchemy.exc import IntegrityError", []),
        ("from sqlalchemy import Connection", []),
        ("import sqlalchemy", ["line 1: imports sqlalchemy"]),
        ("x = queries.find(conn, 1)", []),
    ],
)
def test_the_sql_finder_sees_sql(source: str, expected: list[str]) -> None:
    assert sql_in(ast.parse(source)) == expected


def test_the_result_check_sees_a_dict() -> None:
    tree = ast.parse(
        "def a(instance) -> dict[str, Any]: ...\n"
        "def b(instance) -> list[Row]: ...\n"
        "def c(instance): ...\n"
        "def d(instance) -> list[View]: ...\n"
        "def _e(instance) -> dict: ...\n"
        "def f(conn) -> dict: ...\n"
    )
    assert untyped_use_cases("m.py", tree) == ["m.py:a", "m.py:b", "m.py:c"]
