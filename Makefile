# CustCare: `make demo` runs it, `make test` proves it. Both work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/custcare
export CUSTCARE_VAR ?= $(CURDIR)/var

.PHONY: demo test lint test-pg test-sqlite install install-test browser bench bench-tools serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install -qq -r requirements.lock
	$(BIN)/pip install -qq --no-deps -e .
	touch $@

install: $(VENV)/.installed

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.lock
	$(BIN)/pip install -qq -r requirements-test.lock
	touch $@

install-test: $(VENV)/.installed-test browser

# Debian's Chromium drives the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "Could not install chromium: run 'apt-get install chromium' as root."; exit 1; }; }

demo: install
	mkdir -p $(CUSTCARE_VAR)
	$(BIN)/custcare migrate --no-input -v0
	$(BIN)/custcare demo
	$(BIN)/custcare runserver --noreload 127.0.0.1:8000

lint: install-test
	$(BIN)/ruff check custcare tests $(wildcard bench)
	$(BIN)/ruff format --check custcare tests $(wildcard bench)
	$(BIN)/mypy custcare
	$(BIN)/custcare check --fail-level WARNING
	$(BIN)/custcare makemigrations --check --dry-run

test-pg: install-test
	source scripts/postgres-url.sh && CUSTCARE_DATABASE_URL="$$CUSTCARE_PG_URL" $(BIN)/pytest -p no:cacheprovider -q

test-sqlite: install-test
	mkdir -p $(CUSTCARE_VAR) && rm -f $(CUSTCARE_VAR)/test-custcare.sqlite3*
	CUSTCARE_DATABASE_URL= CUSTCARE_SQLITE_TEST_NAME=$(CUSTCARE_VAR)/test-custcare.sqlite3 $(BIN)/pytest -p no:cacheprovider -q

test: lint test-pg test-sqlite

# `make bench` lists the benchmarks; `make bench BENCH="events --drop"` runs one (see bench/run.py).
bench: install-test bench-tools
	$(BIN)/python -m bench.run $(BENCH)

# Debian's wrk generates the HTTP load of the event intake benchmark (a C program: the load generator
# takes little of the CPUs it shares with the server; without it the benchmark uses Python threads).
bench-tools:
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk for the HTTP benchmarks..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	  || { echo "Could not install wrk: run 'apt-get install wrk' as root, or run the benchmark with --loader python."; exit 1; }; }

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
