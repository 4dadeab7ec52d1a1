# Two commands: `make run` serves the demo cluster, `make test` runs the tests.
# Both create .venv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DATA_DIR ?= var

.PHONY: run test install install-test system-deps lint check-ontology clean bench load

$(VENV)/.runtime: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.runtime

install-test: $(VENV)/.test system-deps

# HermiT, which checks the ontology, runs on Java; the portal's browser tests drive Debian's
# chromium. Each is installed only when missing.
system-deps:
	@command -v java >/dev/null 2>&1 || { \
		echo "Installing a Java runtime for HermiT"; \
		apt-get update -qq && apt-get install -y -qq default-jre-headless; }
	@test -x /usr/bin/chromium || { \
		echo "Installing chromium for the browser tests"; \
		apt-get update -qq && apt-get install -y -qq chromium; }

run: install
	$(BIN)/vic-semantic serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR)

test: install-test
	$(BIN)/python -m pytest

# Side-by-side benchmark against Oxigraph server and rdflib-endpoint at 100k triples;
# `.venv/bin/python bench/run.py --help` lists the scales and durations (docs/benchmarks.md).
bench: install-test
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py

# Load test of the whole service on loopback: 50 clients for 60 s, a lost-writes check, then
# the same load beside a runaway query; `.venv/bin/python bench/load.py --help` lists the
# options. It stops by itself (--hard-timeout) and kills the servers it started.
load: install-test
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/load.py

lint: install-test
	$(BIN)/ruff check vic_semantic api tests
	$(BIN)/mypy vic_semantic api

check-ontology: install system-deps
	$(BIN)/vic-semantic check-ontology

clean:
	rm -rf $(VENV) var .pytest_cache
