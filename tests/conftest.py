"""Shared fixtures: every storage-touching test runs on SQLite and on a real PostgreSQL server.

PostgreSQL tests never skip: if no server answers (``TESTAMENT_TEST_PG_ADMIN_URL``, default
``postgresql://postgres@127.0.0.1:5432/postgres``), they fail, because CI needs them. A test that opens an instance gets
its worker's migrated database, emptied after the test (``tests/pg_scratch.py``); any other test gets
an empty database of its own, created and dropped here.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from subprocess import CompletedProcess
from subprocess import run as run_process

import psycopg
import pytest
from click.testing import CliRunner
from hypothesis import settings as hypothesis_settings

from testament.cli.main import main as cli_main
from testament.config import HASH_PROFILE_TEST_ONLY, Settings, load_settings
from testament.custody import instance as instance_service
from testament.custody.instance import Instance
from testament.storage import migrate
from testament.storage.engine import make_engine
from tests.pg_scratch import Scratch

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


@pytest.fixture(scope="session")
def pg_scratch(pg_admin: psycopg.Connection, pg_template: str) -> Iterator[Scratch]:
    """This worker's migrated database, emptied after each test that used it (tests/pg_scratch.py)."""
    name = f"testament_test_{uuid.uuid4().hex[:12]}"
    scratch = Scratch(pg_admin, pg_template, name, _pg_url(name))
    yield scratch
    scratch.close()


@pytest.fixture
def pg_database(pg_admin: psycopg.Connection, request: pytest.FixtureRequest) -> Iterator[str]:
    if _migrated(request):
        scratch: Scratch = request.getfixturevalue("pg_scratch")
        yield _pg_url(scratch.name)
        scratch.reset()
        return
    name = f"testament_test_{uuid.uuid4().hex[:12]}"
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


# Account passwords in tests are hashed at argon2id's least cost, not RFC 9106's (a fraction of a second
# each, thousands of times in a run): the suite tests what is done with a hash, not argon2. The profile
# travels with the settings, so the commands a test runs use it too; no server starts with it.
TEST_ENVIRONMENT = {"TESTAMENT_PASSWORD_HASHING": HASH_PROFILE_TEST_ONLY}


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    base = load_settings({"TESTAMENT_HOME": str(tmp_path / "home")} | TEST_ENVIRONMENT)
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
        TESTAMENT_PASSWORD_HASHING=settings.password_hashing,
    )
    return env


TESTAMENT = [sys.executable, "-m", "testament.cli.main"]

# The command-line edges of the documentation model hold no SQL: their services run their own tests on
# both databases, so these CLI tests run on SQLite only. The spine's CLI flows keep both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _exit_status(code: object) -> tuple[int, str]:
    """The exit status and stderr text of ``SystemExit(code)``, as the interpreter reports them."""
    if code is None:
        return 0, ""
    if isinstance(code, int):
        return code, ""
    return 1, f"{code}\n"


def run_in_process(
    args: Sequence[str],
    env: Mapping[str, str],
    *,
    cwd: Path | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `testament ARGS` through its real entry point in this process, as a new process would.

    The entry point is :func:`testament.cli.main.main`, with its own diagnoses and exit codes. The
    process environment is exactly ``env`` for the length of the command (settings are read from it
    per command), stdin is ``input``, stdout and stderr are captured apart, and the command runs in a
    fresh context, so no context variable (the acting account) leaks in or out. An exception that
    escapes the entry point (one it does not turn into a diagnosis) propagates and fails the test, as a
    traceback on a subprocess's stderr does.
    """
    overrides: dict[str, str | None] = {name: None for name in os.environ if name not in env}
    overrides.update(env)
    runner = CliRunner()
    with runner.isolation(input=input, env=overrides) as (stdout, stderr, _mixed):
        try:
            with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
                contextvars.Context().run(cli_main, list(args))
            code, reported = 0, ""
        except SystemExit as exc:
            code, reported = _exit_status(exc.code)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        if reported:
            sys.stderr.write(reported)
            sys.stderr.flush()
        return subprocess.CompletedProcess(
            ["testament", *args],
            code,
            stdout.getvalue().decode(runner.charset),
            stderr.getvalue().decode(runner.charset),
        )


class Cli:
    """Runs the real `testament` command against one home: in this process, or in a subprocess.

    In process (the default) a command costs milliseconds instead of an interpreter start and every
    import. Tests that need a real process (a signal, a resource limit, a wrapper such as ``setpriv``
    given as ``prefix``) ask for one with ``subprocess=True`` or use :data:`TESTAMENT` themselves.
    """

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
        input: str | None = None,
        subprocess: bool = False,
    ) -> CompletedProcess[str]:
        env = self.env(extra_env)
        if subprocess or prefix:
            result = run_process(
                [*prefix, *TESTAMENT, *args],
                capture_output=True,
                text=True,
                input=input,
                env=env,
                cwd=cwd,
                timeout=600,
                check=False,
            )
        else:
            result = run_in_process(args, env, cwd=cwd, input=input)
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
