"""One migrated PostgreSQL database per test worker, emptied between tests instead of made anew.

``CREATE DATABASE … TEMPLATE`` costs a quarter of a second or more on a loaded 2-core machine, and
about a thousand tests open an instance on PostgreSQL. Emptying the worker's database costs a few
milliseconds, so each test still starts from a database at the schema head with no rows but the
migrations' own (``alembic_version``), exactly as a copy of the template would.

A test may do what no emptying undoes: change the schema (a downgrade that is not followed by its
upgrade, a dropped or disabled trigger, a new function), or drop and restore the database itself.
Before emptying, :meth:`Scratch.reset` compares the schema's fingerprint with the template's; on any
difference, and whenever the database cannot be reached, it drops the database and copies the template
again. The rows are removed with triggers and foreign keys off (``session_replication_role``), and the
sequences restart, so the next test sees the same identifiers a fresh copy would give.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

# Everything a test could change in the schema that would survive the removal of the rows.
_FINGERPRINT = """
SELECT md5(coalesce(string_agg(part, '|' ORDER BY part), '')) FROM (
    SELECT format('column %s.%s %s %s %s', table_name, column_name, data_type,
                  coalesce(column_default, ''), is_nullable) AS part
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL
    SELECT format('relation %s %s %s', relname, relkind, relrowsecurity)
      FROM pg_class WHERE relnamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('trigger %s %s %s', tgname, tgenabled, pg_get_triggerdef(oid))
      FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT format('constraint %s %s', conname, pg_get_constraintdef(oid))
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('routine %s %s', proname, md5(prosrc))
      FROM pg_proc WHERE pronamespace = 'public'::regnamespace
    UNION ALL
    SELECT format('view %s %s', viewname, md5(definition)) FROM pg_views WHERE schemaname = 'public'
    UNION ALL
    SELECT format('policy %s %s', polname, polrelid::regclass) FROM pg_policy
    UNION ALL
    SELECT format('extension %s %s', extname, extversion) FROM pg_extension
    UNION ALL
    SELECT format('setting %s', array_to_string(setconfig, ','))
      FROM pg_db_role_setting WHERE setdatabase = (
          SELECT oid FROM pg_database WHERE datname = current_database())
) AS parts
"""

# A table that held this many rows is truncated as well, so its dead rows do not slow the next test.
_LARGE = 1_000


class Scratch:
    """The worker's database: ``name``, copied from ``template``, reachable at ``url_of(name)``."""

    def __init__(self, admin: psycopg.Connection, template: str, name: str, url: str) -> None:
        self._admin = admin
        self._template = template
        self.name = name
        self._url = url
        self._copy()
        with self._connect() as connection:
            self._fingerprint = _fingerprint(connection)
            self._tables = [
                row[0]
                for row in connection.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
            ]
            self._seeds = {
                table: _rows(connection, table)
                for table in self._tables
                if _rows(connection, table)
            }

    def _copy(self) -> None:
        self._admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(self.name), sql.Identifier(self._template)
            )
        )

    def _drop(self) -> None:
        self._admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
        )

    def _connect(self) -> psycopg.Connection:
        return psycopg.connect(self._url, autocommit=True, connect_timeout=5)

    def reset(self) -> None:
        """Leave the database as a fresh copy of the template would be."""
        self._admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (self.name,),
        )
        try:
            connection = self._connect()
        except psycopg.OperationalError:  # the test dropped it (a restore), or the server said no
            self._drop()
            self._copy()
            return
        with connection:
            if _fingerprint(connection) != self._fingerprint:
                connection.close()
                self._drop()
                self._copy()
                return
            self._empty(connection)

    def _empty(self, connection: psycopg.Connection) -> None:
        with connection.transaction():
            connection.execute("SET LOCAL session_replication_role = replica")
            large = []
            for table in self._tables:
                deleted = connection.execute(
                    sql.SQL("DELETE FROM {}").format(sql.Identifier(table))
                )
                if deleted.rowcount >= _LARGE:
                    large.append(table)
            for table, rows in self._seeds.items():
                with connection.cursor().copy(
                    sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
                ) as copy:
                    for row in rows:
                        copy.write_row(row)
            connection.execute(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, start_value, false)"
                " FROM pg_sequences WHERE schemaname = 'public'"
            )
            if large:
                tables = sql.SQL(", ").join(map(sql.Identifier, large))
                connection.execute(sql.SQL("TRUNCATE {} CASCADE").format(tables))

    def close(self) -> None:
        self._drop()


def _fingerprint(connection: psycopg.Connection) -> str:
    row = connection.execute(_FINGERPRINT).fetchone()
    assert row is not None
    return str(row[0])


def _rows(connection: psycopg.Connection, table: str) -> list[tuple[object, ...]]:
    return list(connection.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))))
