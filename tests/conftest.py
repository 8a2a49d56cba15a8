"""Shared fixtures: every storage-touching test runs on SQLite and on a real PostgreSQL server.

PostgreSQL tests never skip: if no server answers (``TESTAMENT_TEST_PG_ADMIN_URL``, default
``postgresql://postgres@127.0.0.1:5432/postgres``), they fail, because CI needs them. Each test gets its
own database, created and dropped here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings as hypothesis_settings

from testament.config import Settings, load_settings
from testament.custody import instance as instance_service
from testament.custody.instance import Instance
from testament.storage import migrate
from testament.storage.engine import make_engine

# Hypothesis profiles, chosen with `--hypothesis-profile` (the Makefile passes $(HYPOTHESIS_PROFILE)):
# - "ci": derandomised and without the example database, so every run tries the same examples and a
#   failure is a bug to fix, never a fluke to retry. `make test` and `.ci/run` use it.
# - "dev": Hypothesis's random search with its local database, for a developer's quick runs.
# - "fuzz": a long random search (`make fuzz`); tests with their own `max_examples` keep that count.
# Each starts from Hypothesis's own defaults, not from whatever is loaded (with CI set, Hypothesis
# loads a derandomised profile of its own, which a profile built on it would inherit).
_DEFAULTS = hypothesis_settings.get_profile("default")
hypothesis_settings.register_profile(
    "ci", _DEFAULTS, derandomize=True, database=None, deadline=None
)
hypothesis_settings.register_profile("dev", _DEFAULTS, derandomize=False, deadline=None)
hypothesis_settings.register_profile(
    "fuzz", _DEFAULTS, derandomize=False, max_examples=5_000, deadline=None, database=None
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PG_ADMIN_URL = os.environ.get(
    "TESTAMENT_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ["sqlite", "postgresql"]


def _pg_url(dbname: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[psycopg.Connection]:
    try:
        connection = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is required for the storage tests and is not reachable at {PG_ADMIN_URL}: "
            f"{exc}. Run scripts/ensure-postgres (make test does)."
        )
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def pg_template(pg_admin: psycopg.Connection) -> Iterator[str]:
    """A database migrated to the schema head once, copied for every test that opens an instance."""
    name = f"testament_template_{uuid.uuid4().hex[:12]}"
    pg_admin.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(_pg_url(name))
    migrate.upgrade(engine)
    engine.dispose()
    yield name
    pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite counterpart of :func:`pg_template`: a database file at the schema head."""
    path = tmp_path_factory.mktemp("template") / "testament.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def _migrated(request: pytest.FixtureRequest) -> bool:
    """Tests that open an instance start from a migrated copy; `testament init` then adds the rest.

    Migrating once per session instead of once per test saves seconds a test. Tests of migrations
    themselves, and of the CLI's `init`, use ``settings`` alone and still start from an empty database.
    """
    return "instance" in request.fixturenames


@pytest.fixture
def pg_database(pg_admin: psycopg.Connection, request: pytest.FixtureRequest) -> Iterator[str]:
    name = f"testament_test_{uuid.uuid4().hex[:12]}"
    if _migrated(request):
        template = request.getfixturevalue("pg_template")
        pg_admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    else:
        pg_admin.execute(f'CREATE DATABASE "{name}"')
    yield _pg_url(name)
    pg_admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "home" / "testament.db"
        if _migrated(request):
            path.parent.mkdir(mode=0o700)
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_database")
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    base = load_settings({"TESTAMENT_HOME": str(tmp_path / "home")})
    return replace(base, database_url=database_url)


@pytest.fixture
def instance(settings: Settings) -> Iterator[Instance]:
    instance_service.init(settings)
    opened = instance_service.open_instance(settings)
    yield opened
    opened.close()


def settings_env(settings: Settings) -> dict[str, str]:
    """Environment for a `testament` subprocess pointing at ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TESTAMENT_")}
    env.update(
        TESTAMENT_HOME=str(settings.home),
        TESTAMENT_DATABASE_URL=settings.database_url,
        TESTAMENT_LOG_BATCH_SIZE=str(settings.log_batch_size),
    )
    return env


TESTAMENT = [sys.executable, "-m", "testament.cli.main"]

# The command-line edges of the documentation model hold no SQL: their services run their own tests on
# both databases, so these slow subprocess tests run on SQLite only. The spine's CLI flows keep both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


class Cli:
    """Runs the real `testament` command in a subprocess against one home."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return settings_env(self.settings) | (extra or {})

    def __call__(
        self,
        *args: str,
        check: bool = False,
        cwd: Path | None = None,
        extra_env: dict[str, str] | None = None,
        prefix: tuple[str, ...] = (),
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*prefix, *TESTAMENT, *args],
            capture_output=True,
            text=True,
            env=self.env(extra_env),
            cwd=cwd,
            timeout=600,
            check=False,
        )
        assert "Traceback" not in result.stderr, result.stderr
        if check:
            assert result.returncode == 0, result.stderr
        return result


@pytest.fixture
def cli(settings: Settings) -> Cli:
    return Cli(settings)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI nothing may be skipped: a skipped test is a requirement nobody checked."""
    if not os.environ.get("CI") or exitstatus != 0:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped:
        names = ", ".join(getattr(report, "nodeid", "?") for report in skipped)
        print(f"\nerror: {len(skipped)} test(s) were skipped in CI: {names}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
