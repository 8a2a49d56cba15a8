# Testament: one command for each thing a newcomer needs. Each works from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export TESTAMENT_HOME ?= $(CURDIR)/testament-data
# Hypothesis profile (tests/conftest.py): "ci" is derandomised, so the suite is the same every run.
export HYPOTHESIS_PROFILE ?= ci

.PHONY: run test fuzz lint bench docs deps install clean i18n

$(STAMP): pyproject.toml
	scripts/system-deps run
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

deps:
	scripts/system-deps test

# Where `make run` serves the web application.
HOST ?= 127.0.0.1
PORT ?= 8000
# Extra arguments for pytest in `make test`, e.g. PYTEST_ARGS="tests/web -x".
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`: one per core; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
# Branch coverage ([tool.coverage] in pyproject.toml) of a whole-suite run: the total is printed and
# `make test` fails below its fail_under. A partial run (PYTEST_ARGS) is not measured unless it asks
# (--cov); TEST_COVERAGE= turns it off; `.venv/bin/coverage report` lists what the last run missed.
TEST_COVERAGE ?= $(if $(PYTEST_ARGS),,--cov --cov-report=)

run: $(STAMP)
	scripts/demo-data
	$(BIN)/testament serve --host $(HOST) --port $(PORT)

test: $(STAMP)
	scripts/system-deps test
	scripts/ensure-postgres
	$(BIN)/python -m pytest --numprocesses=$(TEST_WORKERS) $(TEST_COVERAGE) $(PYTEST_ARGS)

# The property tests again with a long random search (the "fuzz" profile); a failure it finds is
# printed with the example to add as an @example.
fuzz: $(STAMP)
	scripts/ensure-postgres
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest $$(grep -rlE '^from hypothesis|^import hypothesis' tests)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/name_matching.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage .coverage.*

docs: $(STAMP)
	$(BIN)/python scripts/cli_reference.py > docs/cli.md

i18n: $(STAMP)
	$(BIN)/python scripts/i18n_update.py
