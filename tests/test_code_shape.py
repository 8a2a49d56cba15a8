"""The code's shape: no module over 600 lines, no function over 60 (issue 14, "Done means").

A function may be longer where the line directly above its ``def`` (or above its decorators) is a
comment starting with ``# Long:`` that says why. Nested functions count on their own, and an outer
function's length includes theirs, so a function that registers many nested route handlers is long.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "testament"
MODULE_LINES = 600
FUNCTION_LINES = 60
ALLOWANCE = "# Long:"
# Generated or vendored code keeps its own shape.
EXCLUDED = ("storage/migrations/versions/", "web/static/")

# Modules allowed to break the limits for a while, each with the reason; empty when none is.
PENDING: dict[str, str] = {}


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if not name.startswith(EXCLUDED) and name not in PENDING:
            found.append((name, path))
    return found


def _explained(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the line directly above the function (above its decorators, if any) says why it is long."""
    top = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
    return top >= 2 and lines[top - 2].strip().startswith(ALLOWANCE)


def _long_functions(name: str, source: str) -> list[str]:
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length > FUNCTION_LINES and not _explained(lines, node):
            found.append(f"{name}:{node.lineno} {node.name}() has {length} lines")
    return found


def test_the_package_has_modules_to_check() -> None:
    assert len(_modules()) > 50


def test_no_module_is_over_600_lines() -> None:
    long = []
    for name, path in _modules():
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MODULE_LINES:
            long.append(f"{name} has {count} lines")
    assert not long, "modules over 600 lines (split them):\n" + "\n".join(long)


def test_no_function_is_over_60_lines_unless_a_comment_says_why() -> None:
    long = []
    for name, path in _modules():
        long += _long_functions(name, path.read_text(encoding="utf-8"))
    assert not long, (
        "functions over 60 lines (split them, or put a '# Long: why' comment directly above):\n"
        + "\n".join(long)
    )


def test_pending_modules_still_exist() -> None:
    """An allowance for a module that is gone (renamed or split) is dropped, not kept by mistake."""
    assert [name for name in PENDING if not (PACKAGE / name).is_file()] == []


def test_the_allowance_comment_counts_above_decorators_only_directly() -> None:
    source = (
        "# Long: one table of cases\n"
        "@decorated\n"
        "def explained():\n" + "    pass\n" * 70 + "\n"
        "# Long: not directly above\n"
        "\n"
        "def unexplained():\n" + "    pass\n" * 70 + "\n"
        "def outer():\n"
        "    def inner():\n" + "        pass\n" * 61
    )
    found = _long_functions("example.py", source)
    assert [entry.split()[1] for entry in found] == ["unexplained()", "outer()", "inner()"]
