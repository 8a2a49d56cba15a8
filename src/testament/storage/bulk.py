"""Inserting many rows through the driver's ``executemany``, without SQLAlchemy's per-row work.

``connection.execute(insert(table), rows)`` compiles once but then builds and type-processes every row's
parameters in Python, which costs more than the insert itself for the hundreds of thousands of rows an
import writes (a record, its version and its custody event per row). :func:`insert_many` sends the same
statement straight to the driver, applying each column's bind processor when the dialect has one, in the
caller's transaction. Every row must name the same columns; a column left out gets the database default
(no table here has a Python-side default, and :func:`insert_many` refuses a table that does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table

__all__ = ["insert_many"]


def _statement(connection: Connection, table: Table, names: Sequence[str]) -> str:
    preparer = connection.dialect.identifier_preparer
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(preparer.quote(name) for name in names)
    marks = ", ".join([mark] * len(names))
    return f"INSERT INTO {preparer.format_table(table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names come from the Table


def _processors(
    connection: Connection, table: Table, names: Sequence[str]
) -> list[tuple[int, Callable[[Any], Any]]]:
    found: list[tuple[int, Callable[[Any], Any]]] = []
    for position, name in enumerate(names):
        column = table.c[name]
        process = column.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
        if process is not None:
            found.append((position, process))
    return found


def insert_many(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (mappings of column name to value, all with the same names) into ``table``."""
    if not rows:
        return
    names = list(rows[0])
    defaulted = [c.name for c in table.columns if c.name not in rows[0] and c.default is not None]
    if defaulted:
        raise ValueError(f"insert_many cannot fill the Python-side defaults of {defaulted}")
    params = [tuple(row[name] for name in names) for row in rows]
    processors = _processors(connection, table, names)
    if processors:
        params = [_processed(values, processors) for values in params]
    connection.exec_driver_sql(_statement(connection, table, names), params)


def _processed(
    values: tuple[Any, ...], processors: Sequence[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    out = list(values)
    for position, process in processors:
        out[position] = process(out[position])
    return tuple(out)
