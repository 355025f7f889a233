"""A quick subcommand imports only what it needs: `ctoc-kg query` (and `--version`) run in a fresh interpreter
without the build's libraries (pyshacl, owlrl, the corpus workers...), which cost seconds of start-up."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import QUERIES

# Packages a library query on a built folder never needs: validation, reasoning, the build, the site, the
# notebook and ontology documentation, the HTTP client of remote endpoints, the API's data frames.
HEAVY = ("pyshacl", "owlrl", "pydantic", "nbconvert", "pylode", "SPARQLWrapper", "pandas", "jinja2", "uvicorn",
         "kg_build.corpus", "kg_build.validate", "kg_build.reason", "kg_build.extract", "kg_build.map",
         "kg_build.read", "kg_build.link", "kg_build.publish.site", "kg_build.pipeline")

# Runs the CLI in-process, then prints (as the last stderr line) which heavy packages ended up imported.
PROBE = """
import json, sys
from kg_build.cli.app import main
try:
    code = main(sys.argv[2:])
except SystemExit as done:  # --help and --version end in argparse's exit
    code = done.code
heavy = json.loads(sys.argv[1])
loaded = sorted(h for h in heavy if any(m == h or m.startswith(h + ".") for m in sys.modules))
print("\\nimported: " + json.dumps(loaded), file=sys.stderr)
sys.exit(code)
"""


def run_probe(*argv: str) -> tuple[str, list[str]]:
    """Stdout of `ctoc-kg ARGV` in a fresh interpreter, and the heavy packages it imported."""
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(HEAVY), *argv], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(done.stderr.rsplit("imported: ", 1)[1])


def test_query_imports_no_build_libraries(built_dist: Path) -> None:
    out, loaded = run_probe("query", "decisions", "--dist", str(built_dist), "--format", "csv")
    with (QUERIES / "expected" / "decisions.csv").open(encoding="utf-8", newline="") as handle:
        expected = list(csv.reader(handle))
    got = list(csv.reader(io.StringIO(out)))
    assert got[0] == expected[0] and sorted(got[1:]) == sorted(expected[1:])
    assert loaded == []


def test_query_list_and_version_import_no_build_libraries() -> None:
    out, loaded = run_probe("query", "--list", "--queries", str(QUERIES))
    assert "decisions" in out and "agenda_item_discussion" in out
    assert loaded == []
    out, loaded = run_probe("--version")
    assert out.startswith("ctoc-kg ") and loaded == []


def test_build_is_still_registered() -> None:
    """Help lists every subcommand, so each module is imported for it."""
    out, _ = run_probe("--help")
    for command in ("build", "stats", "reason", "validate", "query", "serve", "push"):
        assert f"    {command} " in out
