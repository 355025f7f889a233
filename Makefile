# Quick start: `make run` (set up, build, validate, summary) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run build test lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TSTAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

run: $(STAMP)
	$(BIN)/ctoc-kg build --out dist
	$(BIN)/ctoc-kg validate --dist dist

build: run

test: $(TSTAMP)
	$(BIN)/ruff check kg_build tests bench
	$(BIN)/python -m pytest

lint: $(TSTAMP)
	$(BIN)/ruff check kg_build tests bench

clean:
	rm -rf dist .pytest_cache
