# Testament: one command for each thing a newcomer needs. Each works from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export TESTAMENT_HOME ?= $(CURDIR)/testament-data

.PHONY: run test lint bench docs deps install clean i18n

$(STAMP): pyproject.toml
	scripts/system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

deps:
	scripts/system-deps

run: $(STAMP)
	scripts/demo-data
	$(BIN)/testament serve

test: $(STAMP)
	scripts/ensure-postgres
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/name_matching.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

docs: $(STAMP)
	$(BIN)/python scripts/cli_reference.py > docs/cli.md

i18n: $(STAMP)
	$(BIN)/python scripts/i18n_update.py
