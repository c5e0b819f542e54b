# Rapport: `make run` to try it, `make test` to check it. `make help` lists the rest.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RAPPORT := $(BIN)/rapport
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The browser tests (e2e/) drive this Chromium; they never download one.
RAPPORT_CHROMIUM ?= /usr/bin/chromium
export RAPPORT_CHROMIUM
# `make test-postgres` runs the suite on this server; pytest-django creates and drops test_<name>.
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/rapport

.DEFAULT_GOAL := help
.PHONY: help install run test test-postgres lint openapi events roles lock clean chromium

help:
	@echo "make install        create .venv and install Rapport with its pinned dependencies"
	@echo "make run            install, migrate, load the demo workspace, serve on http://$(HOST):$(PORT)/"
	@echo "make test           install the test tools and run the whole suite (SQLite)"
	@echo "make test-postgres  the suite on PostgreSQL (POSTGRES_URL=$(POSTGRES_URL))"
	@echo "make test RAPPORT_TEST_CLOCK=+365d   the suite a year from now (an offset or an ISO moment)"
	@echo "make lint           ruff, formatting, mypy, import layers, migrations, OpenAPI schema, events"
	@echo "make openapi        write rapport/api/openapi.json from the code"
	@echo "make events         write docs/events.md (the event catalogue) from the code"
	@echo "make roles          write docs/roles.md (what each role may do) from the code"
	@echo "make lock           recompile requirements/*.txt from pyproject.toml (UPGRADE=1 to upgrade)"
	@echo "make clean          remove the virtual environment and caches (your data in var/ stays)"

# The virtual environment. Stamps record which lock file it was last synced with.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Rapport needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version)." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-base: requirements/base.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/base.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed-base

run: $(VENV)/.installed-base
	$(RAPPORT) migrate --no-input
	$(RAPPORT) demo
	$(RAPPORT) serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev chromium
	$(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(VENV)/.installed-dev chromium
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium; they fail, never skip, without it.
chromium:
	@if [ ! -x "$(RAPPORT_CHROMIUM)" ]; then \
		if [ "$(RAPPORT_CHROMIUM)" = /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] \
			&& command -v apt-get >/dev/null; then \
			echo "Installing Debian's Chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		fi; \
		[ -x "$(RAPPORT_CHROMIUM)" ] || { echo "The browser tests need Chromium at \
	$(RAPPORT_CHROMIUM): sudo apt-get install chromium (or set RAPPORT_CHROMIUM)" >&2; exit 1; }; \
	fi

# Every check runs, so one run shows every problem; the target fails if any did.
lint: $(VENV)/.installed-dev
	@failed=""; \
	for check in "$(BIN)/ruff check ." "$(BIN)/ruff format --check ." "$(BIN)/mypy rapport" \
		"$(BIN)/lint-imports" "$(RAPPORT) makemigrations --check --dry-run" \
		"$(RAPPORT) openapi --check" "$(RAPPORT) events --check" "$(RAPPORT) roles --check"; do \
		echo "--- $$check"; \
		$$check || failed="$$failed\n  $$check"; \
	done; \
	if [ -n "$$failed" ]; then printf "lint failed:$$failed\n" >&2; exit 1; fi; \
	echo "lint: all checks passed"

openapi: $(VENV)/.installed-base
	$(RAPPORT) openapi

events: $(VENV)/.installed-base
	$(RAPPORT) events

roles: $(VENV)/.installed-base
	$(RAPPORT) roles

# uv resolves for every platform (--universal) and records hashes; pip installs from the result.
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --python-version 3.11 --universal \
	--generate-hashes --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade)
lock: $(VENV)/.installed-dev
	$(UV_COMPILE) -o requirements/base.txt
	$(UV_COMPILE) --extra dev -c requirements/base.txt -o requirements/dev.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-results *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
