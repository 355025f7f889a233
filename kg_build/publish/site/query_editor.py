"""The site's query editor, ``site/query/``: YASGUI (npm ``@zazuko/yasgui``, installed into ``web/node_modules`` by
``npm ci --prefix web``) pointed at ``../sparql`` (``ctoc-kg serve`` answers there and serves this page at
``/query/``), with the query library beside it as examples that open in a tab. YASGUI's files are copied next to
the page, so nothing is fetched from another host; without ``web/node_modules`` the page lists the library alone."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from kg_build.paths import PROJECT_DIR, QUERIES_DIR
from kg_build.publish.site.html import document, esc
from kg_build.sparql.query import QueryInfo, library

WEB_DIR = PROJECT_DIR / "web"
YASGUI_PACKAGE = WEB_DIR / "node_modules" / "@zazuko" / "yasgui"
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")
GLUE = "query-editor.js"  # web/query-editor.js: starts YASGUI and opens library queries in tabs
QUERY_DIR = "query"
ENDPOINT = "../sparql"
TITLE = "SPARQL 查询编辑器 SPARQL query editor"
STYLE = """
#yasgui{margin:1rem 0}
ol.library li{margin:.5rem 0}
ol.library button{font-family:ui-monospace,monospace;cursor:pointer}
ol.library pre{background:#f6f6f6;padding:.5rem;overflow-x:auto;font-size:.85em}
"""


@dataclass(frozen=True)
class Yasgui:
    """The installed YASGUI: where its built files are and which version they are."""

    build: Path
    version: str


def installed_yasgui(package: Path = YASGUI_PACKAGE) -> Yasgui | None:
    """YASGUI from ``npm ci --prefix web``, or None when it is not installed (or incompletely)."""
    build = package / "build"
    if not all((build / name).is_file() for name in YASGUI_FILES) or not (WEB_DIR / GLUE).is_file():
        return None
    version = json.loads((package / "package.json").read_text(encoding="utf-8")).get("version", "?")
    return Yasgui(build, str(version))


def library_item(info: QueryInfo, editor: bool) -> str:
    """One library query: its name (a button opening it in the editor when there is one), its question in English
    and Chinese, its text."""
    text = info.path.read_text(encoding="utf-8")
    name = (f'<button type="button" data-query="{esc(info.name)}">{esc(info.name)}</button>' if editor
            else f"<code>{esc(info.name)}</code>")
    return (f'<li>{name} <span lang="en">{esc(info.en or info.title)}</span><br><span lang="zh">{esc(info.zh)}</span>\n'
            f'<details><summary>SPARQL</summary><pre id="q-{esc(info.name)}">{esc(text)}</pre></details></li>')


def editor_page(queries: list[QueryInfo], yasgui: Yasgui | None) -> str:
    """The page: the editor (when installed) above the library; the endpoint is ``../sparql``."""
    intro = ('<p><span lang="zh">在浏览器中查询知识图谱；查询发送到 <code>ctoc-kg serve</code> 的 SPARQL 端点。</span> '
             '<span lang="en" class="en">Query the graph in the browser; queries go to the SPARQL endpoint of '
             f'<code>ctoc-kg serve</code>, <code>{ENDPOINT}</code> from this page (the endpoint field changes it).'
             "</span></p>")
    if yasgui is None:
        editor = ('<p class="empty">编辑器未安装 <span lang="en">The editor is not installed in this build: run '
                  "<code>npm ci --prefix web</code> (or <code>make run</code>) and build again.</span></p>")
    else:
        editor = (f'<div id="yasgui" data-endpoint="{ENDPOINT}" lang="en"></div>\n'
                  f'<p class="en" lang="en">Editor: YASGUI {esc(yasgui.version)} (@zazuko/yasgui, MIT licence).</p>')
    items = "\n".join(library_item(info, yasgui is not None) for info in queries)
    body = (f'<h1>{esc(TITLE)}</h1>\n{intro}\n{editor}\n'
            f'<h2>查询库 <span lang="en" class="en">Query library</span></h2>\n'
            '<p><span lang="zh">点击查询名称在编辑器中打开。</span> '
            '<span lang="en" class="en">Each query opens in its own tab of the editor.</span></p>\n'
            f'<ol class="library">\n{items}\n</ol>')
    page = document(TITLE, body, (QUERY_DIR,), alternates=False)
    head = f"<style>{STYLE}</style>\n"
    if yasgui is not None:  # @import, not <link>: the page's links are pages and data files only
        head += (f'<style>@import url("{YASGUI_FILES[1]}");</style>\n'
                 f'<script src="{YASGUI_FILES[0]}" defer></script>\n<script src="{GLUE}" defer></script>\n')
    return page.replace("</head>", head + "</head>", 1)


def write_query_editor(site: Path, queries_dir: Path = QUERIES_DIR, package: Path = YASGUI_PACKAGE) -> list[str]:
    """Write ``site/query/`` (the page, YASGUI's files and the glue script); a note when YASGUI is missing."""
    found = installed_yasgui(package)
    folder = site / QUERY_DIR
    folder.mkdir(parents=True, exist_ok=True)
    if found is not None:
        for name in YASGUI_FILES:
            shutil.copyfile(found.build / name, folder / name)
        shutil.copyfile(WEB_DIR / GLUE, folder / GLUE)
    (folder / "index.html").write_text(editor_page(library(queries_dir), found), encoding="utf-8")
    if found is None:
        return [f"query editor: {package} is missing (npm ci --prefix web); site/query/ lists the library "
                "without the editor"]
    return []
