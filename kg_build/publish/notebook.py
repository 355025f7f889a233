"""The researchers' notebook, examples/ctoc-kg-tour.ipynb: run it on a build (nbclient) and render its saved
outputs into the site as one self-contained HTML page (nbconvert's `basic` template: no scripts, no CDN).

`python -m kg_build.publish.notebook [DIST]` executes the notebook on DIST (default dist/) and saves it in
place with its outputs, which is how the committed copy is refreshed after the graph or the notebook changes.
"""

from __future__ import annotations

import base64
import html
import logging
import os
import re
import sys
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from kg_build.memo import memo_text
from kg_build.paths import PROJECT_DIR
from kg_build.publish.html_lang import mark_languages

CODE = [Path(__file__).read_bytes(), Path(mark_languages.__code__.co_filename).read_bytes()]  # keys the memo

if TYPE_CHECKING:
    from nbformat import NotebookNode

NOTEBOOK = PROJECT_DIR / "examples" / "ctoc-kg-tour.ipynb"
SITE_PAGE = Path("site") / "examples" / "ctoc-kg-tour.html"  # inside the build folder; the home page links it
DIST_VARIABLE = "CTOC_KG_DIST"  # the build folder the notebook reads (default "dist")
TIMEOUT_S = 300
_SVG_IMG = re.compile(r'<img[^>]*? src="data:image/svg\+xml;base64,(?P<data>[A-Za-z0-9+/=]+)"[^>]*>')
_SVG_REF = re.compile(r'(?P<attr>\bid="|href="#|url\(#)(?P<name>[^"#)]+)')
# What the Nu HTML Checker rejects in a page: matplotlib's RDF <metadata> and glyphs without `d` (a space) in
# inline SVG, pandas' `<style scoped>` and `border="1"` in its tables.
_SVG_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_PATH_WITHOUT_D = re.compile(r"<path(?=\s)(?![^>]*\sd=)")
_SCOPED_STYLE = re.compile(r"<style scoped(?:=\"\")?>.*?</style>\s*", re.DOTALL)


def execute(notebook: Path, dist: Path, timeout: int = TIMEOUT_S) -> NotebookNode:
    """The notebook run top to bottom by a fresh kernel in the project folder, reading the build in `dist`;
    no timing metadata is recorded, so the same build gives the same outputs."""
    import nbformat
    from nbclient import NotebookClient

    node = nbformat.read(notebook, as_version=4)
    client = NotebookClient(node, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(PROJECT_DIR)}})
    client.execute(env={**os.environ, DIST_VARIABLE: str(Path(dist).resolve())})  # the kernel's environment
    return node


def to_html(notebook: Path) -> str:
    """The notebook with its saved outputs as a standalone HTML page: the `basic` template's body (no scripts)
    in a page of our own with a title, a link home and the code-highlighting styles inline."""
    import nbformat
    from nbconvert import HTMLExporter
    from pygments.formatters import HtmlFormatter

    node = nbformat.read(notebook, as_version=4)
    exporter = HTMLExporter(template_name="basic", exclude_anchor_links=True)
    quiet = logging.getLogger("traitlets")  # its alt-text warning is about <img>s the page replaces by inline SVG
    level, quiet.level = quiet.level, logging.ERROR
    try:
        body, _ = exporter.from_notebook_node(node)
    finally:
        quiet.setLevel(level)
    body = _SCOPED_STYLE.sub("", inline_svgs(body)).replace('<table border="1" class="dataframe">',
                                                             '<table class="dataframe">')
    title = _title(node)
    styles = HtmlFormatter().get_style_defs(".highlight")
    page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
            f"<style>\nbody {{ max-width: 60rem; margin: 2rem auto; padding: 0 1rem; font-family: sans-serif; }}\n"
            f"pre {{ overflow-x: auto; }} .jp-InputPrompt, .jp-OutputPrompt {{ display: none; }}\n"
            f".jp-CodeCell .jp-InputArea {{ background: #f6f6f6; padding: 0.2rem 0.5rem; }}\n"
            f"table.dataframe {{ border-collapse: collapse; }} table.dataframe td, table.dataframe th "
            f"{{ padding: 0.2rem 0.5rem; border: 1px solid #999; }}\n{styles}\n</style>\n</head>\n<body>\n"
            f'<p><a href="../index.html">CTOC-KG</a></p>\n{body}\n</body>\n</html>\n')
    return mark_languages(page)  # every Chinese text (questions, table cells) in a lang="zh" span


def inline_svgs(body: str) -> str:
    """Each figure nbconvert wrote as an `<img>` of a data: URI put inline as `<svg>` (the site loads nothing,
    not even data: URIs), its ids and references to them prefixed with the figure's number so two figures'
    ids (matplotlib's `figure_1`, `axes_1`...) stay unique in the page."""
    count = 0

    def inline(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        svg = base64.b64decode(match.group("data")).decode("utf-8")
        svg = svg[svg.index("<svg"):]  # the XML declaration and DOCTYPE have no place inside HTML
        svg = _PATH_WITHOUT_D.sub('<path d=""', _SVG_METADATA.sub("", svg))
        return _SVG_REF.sub(lambda ref: f"{ref.group('attr')}figure-{count}-{ref.group('name')}", svg)

    return _SVG_IMG.sub(inline, body)


def _title(node: NotebookNode) -> str:
    """The text of the notebook's first `# ` heading (the page's one h1)."""
    for cell in node.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return NOTEBOOK.stem


def write_notebook_page(folder: Path, notebook: Path = NOTEBOOK) -> list[str]:
    """Render the notebook into `folder`/site/examples/; a one-line note instead when it cannot be."""
    if not notebook.is_file():
        return [f"notebook: {notebook} not found, {SITE_PAGE} not written"]
    try:
        page = memo_text("notebook", [notebook.read_bytes(), version("nbconvert"), *CODE],
                         lambda: to_html(notebook))
    except ImportError as err:
        return [f"notebook: {err.name or 'nbconvert'} is not installed, {SITE_PAGE} not written"]
    target = folder / SITE_PAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    return []


def main(argv: list[str]) -> int:
    """Execute the notebook on the build folder given (default dist/) and save it with its outputs."""
    import nbformat

    node = execute(NOTEBOOK, Path(argv[0] if argv else "dist"))
    nbformat.write(node, NOTEBOOK)
    print(f"{NOTEBOOK}: executed and saved", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
