"""examples/ctoc-kg-tour.ipynb: it runs on the suite's build without an error and gives exactly the outputs saved
in the committed copy (text, tables and SVG figures alike); the build renders it into the site, self-contained,
and the home page links it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest

from kg_build.publish.notebook import NOTEBOOK, SITE_PAGE, execute, write_notebook_page

from .test_html_valid import nu_errors


def outputs(node: nbformat.NotebookNode) -> list[list[dict]]:
    """Each code cell's outputs, without the execution counts."""
    return [[{k: v for k, v in out.items() if k != "execution_count"} for out in cell.outputs]
            for cell in node.cells if cell.cell_type == "code"]


def text_of(cell_outputs: list[dict]) -> str:
    """What a cell printed and the plain-text form of what it returned."""
    return "".join(out.get("text", "") + out.get("data", {}).get("text/plain", "") for out in cell_outputs)


def test_notebook_runs_and_keeps_its_outputs(built_dist: Path) -> None:
    """Executed by nbclient on the build, the notebook's outputs are the committed ones: the 31 States of
    paragraph 40, the one recommendation citing article 18, the article-citation chart and the network diagram."""
    saved = nbformat.read(NOTEBOOK, as_version=4)
    run = execute(NOTEBOOK, built_dist)
    assert outputs(run) == outputs(saved), "stale outputs: re-run `python -m kg_build.publish.notebook dist`"
    printed = [text_of(cell) for cell in outputs(run)]
    assert any("31 States spoke" in text for text in printed)
    assert any("37(a)" in text and "requests" in text for text in printed)
    figures = [out for cell in outputs(run) for out in cell if "image/svg+xml" in out.get("data", {})]
    assert len(figures) == 2 and all("<dc:date>" not in f["data"]["image/svg+xml"] for f in figures)
    tables = "".join(printed)
    assert re.search(r"^18\s+4$", tables, re.MULTILINE)  # article 18 cited 4 times in the one report
    assert all(iso3 in tables for iso3 in ("COM", "FRA", "MDG", "MUS", "SYC"))  # the Indian Ocean platform


def test_site_has_the_rendered_notebook(built_dist: Path) -> None:
    """The build renders the saved notebook into the site without scripts or remote resources, one h1 equal to
    its title, and the home page links it."""
    page = (built_dist / SITE_PAGE).read_text(encoding="utf-8")
    assert "<script" not in page and not re.search(r'(src|href)="(https?:)?//', page)
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", page) == [title] == ["A tour of the ctoc-kg knowledge graph"]
    assert "31 States spoke" in page and page.count("<svg ") == 2 and "<img" not in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)) and "figure-2-axes_1" in ids  # the figures' ids kept apart
    home = (built_dist / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="examples/ctoc-kg-tour.html"' in home


def test_rendered_notebook_is_valid_html(built_dist: Path) -> None:
    """The Nu HTML Checker finds no error in the page (matplotlib's SVG metadata and pandas' scoped styles and
    table borders are taken out; the notebook as nbconvert renders it has 29)."""
    assert nu_errors([built_dist / SITE_PAGE]) == []


def test_without_nbconvert_the_build_notes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No nbconvert and no page rendered before (an empty cache: a page memoised by an earlier build is
    published without nbconvert): no page, and one note saying why."""
    monkeypatch.setenv("CTOC_KG_CACHE", str(tmp_path / "cache"))
    monkeypatch.setitem(sys.modules, "nbconvert", None)
    assert write_notebook_page(tmp_path) == [f"notebook: nbconvert is not installed, {SITE_PAGE} not written"]
    assert not (tmp_path / SITE_PAGE).exists()
