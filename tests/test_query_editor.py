"""The site's query editor (site/query/, kg_build/publish/site/query_editor.py): YASGUI copied from web/node_modules
into the build with the query library beside it; `ctoc-kg serve` sends a browser at /sparql there; a headless
chromium opens it, runs a library query through YASGUI against serve's endpoint and reads the result table."""

from __future__ import annotations

import base64
import csv
import html
import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kg_build.publish.site.query_editor import (
    GLUE,
    YASGUI_FILES,
    YASGUI_PACKAGE,
    installed_yasgui,
    write_query_editor,
)
from kg_build.sparql.query import library
from kg_build.sparql.query_page import query_page
from tests import test_site_browser
from tests.conftest import ROOT
from tests.test_html_valid import nu_errors
from tests.test_site_browser import BROWSER_ACCEPT, SCREENSHOTS, DevTools, Served, devtools_browser, get

chromium = test_site_browser.chromium  # fixtures: Debian's chromium, and `ctoc-kg serve` on the suite's build
served = test_site_browser.served

QUERIES = ROOT / "queries"
QUERY = "speaking_states"
RESULT_WAIT = 45.0  # seconds for YASGUI to load, query and draw its table
RESULT_TABLE = """(() => {
  const table = document.querySelector('.tabPanel.active .yasr table.dataTable');
  if (!table) return null;
  const head = Array.from(table.querySelectorAll('thead th'), th => th.textContent.trim());
  const rows = Array.from(table.querySelectorAll('tbody tr'),
                          tr => Array.from(tr.querySelectorAll('td'), td => td.textContent.trim()));
  return {head, rows};
})()"""


@pytest.fixture(scope="module", autouse=True)
def yasgui_installed() -> None:
    """The editor needs web/node_modules (the Makefile's `npm ci --prefix web`; `make test` runs it)."""
    if installed_yasgui() is None:
        pytest.fail(f"{YASGUI_PACKAGE} is missing: run `npm ci --prefix web` (make test does) and build again")


def expected_rows(name: str) -> list[dict[str, str]]:
    with (QUERIES / "expected" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_build_writes_the_editor_with_the_library(built_dist: Path) -> None:
    """query/ holds YASGUI's files (byte for byte from web/node_modules), the glue script and a page that loads
    them from beside it, names the endpoint ../sparql and lists every library query in English and Chinese."""
    folder = built_dist / "site" / "query"
    for name in YASGUI_FILES:
        assert (folder / name).read_bytes() == (YASGUI_PACKAGE / "build" / name).read_bytes(), name
    assert (folder / GLUE).read_bytes() == (ROOT / "web" / GLUE).read_bytes()
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<script src="([^"]+)"', page) == [YASGUI_FILES[0], GLUE]
    assert '@import url("yasgui.min.css")' in page and 'data-endpoint="../sparql"' in page
    assert not re.search(r'(src|href|url)\s*[=(]\s*"?(https?:)?//', page), "nothing may come from another host"
    queries = library(QUERIES)
    assert len(queries) >= 30
    for info in queries:
        assert f'data-query="{info.name}"' in page and f'id="q-{info.name}"' in page, info.name
        assert info.en and info.zh and html.escape(info.en) in page and html.escape(info.zh) in page, info.name
    home = (built_dist / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="query/index.html"' in home
    assert nu_errors([folder / "index.html"]) == []


def test_without_yasgui_the_page_lists_the_library_and_says_so(tmp_path: Path) -> None:
    notes = write_query_editor(tmp_path, QUERIES, tmp_path / "no-such-package")
    assert len(notes) == 1 and "npm ci --prefix web" in notes[0]
    page = (tmp_path / "query" / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page and "npm ci --prefix web" in page
    assert f'id="q-{QUERY}"' in page and not (tmp_path / "query" / YASGUI_FILES[0]).exists()
    assert nu_errors([tmp_path / "query" / "index.html"]) == []


def test_serve_sends_a_browser_at_sparql_to_the_editor(served: Served) -> None:
    status, headers, _ = get(served.base, "/sparql", BROWSER_ACCEPT)
    assert (status, headers["location"]) == (303, "/query/")
    status, headers, body = get(served.base, "/query/", BROWSER_ACCEPT)
    assert status == 200 and headers["content-type"].startswith("text/html") and b'id="yasgui"' in body
    status, _, body = get(served.base, "/sparql", "text/plain")
    assert status == 200 and body.startswith(b"SPARQL 1.1 query endpoint")


def test_serve_without_a_site_keeps_the_small_form() -> None:
    """`ctoc-kg serve` on a dist without a site has no editor to send a browser to: the form posting to /sparql."""
    answer = query_page("/sparql", 30, has_site=False)
    page = bytes(answer.body).decode("utf-8")
    assert answer.status_code == 200 and '<form method="post" action="/sparql"' in page
    assert (query_page("/sparql", 30, has_site=True).status_code, query_page("/sparql", 30, True).headers["location"]) \
        == (303, "/query/")


def wait_for_table(tools: DevTools, tab: str, seconds: float) -> dict:
    """Poll the live DOM until the active tab's result table has rows; the table (head, rows) or a failure."""
    deadline = time.monotonic() + seconds
    while True:
        found = tools.call("Runtime.evaluate", {"expression": RESULT_TABLE, "returnByValue": True}, tab)
        table = found["result"].get("value")
        if table and table["rows"]:
            return table
        if time.monotonic() > deadline:
            error = tools.call("Runtime.evaluate", {"expression": "document.querySelector('.yasr')?.innerText ?? ''",
                                                    "returnByValue": True}, tab)["result"].get("value")
            pytest.fail(f"no result table after {seconds:g} s; YASR shows: {str(error)[:500]!r}")
        time.sleep(0.25)


def test_yasgui_runs_a_library_query_in_chromium(chromium: Path, served: Served) -> None:
    """Open /query/ from serve, open the speaking_states query from the library, run it with YASGUI's button and
    read the 31 States of its expected rows from the result table; every request stays on serve's origin."""
    with devtools_browser(chromium) as tools:
        target = tools.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        tab = tools.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            tools.call(f"{domain}.enable", session=tab)
        tools.call("Emulation.setDeviceMetricsOverride",
                   {"width": 1280, "height": 1400, "deviceScaleFactor": 1, "mobile": False}, tab)
        since = len(tools.events)
        navigation = tools.call("Page.navigate", {"url": served.base + "/query/"}, tab)
        assert not navigation.get("errorText"), navigation
        tools.wait_event("Page.loadEventFired", tab, since)
        opened = tools.call("Runtime.evaluate", {"returnByValue": True, "expression": f"""(() => {{
            document.querySelector('button[data-query="{QUERY}"]').click();
            const tab = window.ctocYasgui.getTab();
            document.querySelector('.tabPanel.active .yasqe_queryButton').click();
            return [tab.getName(), tab.getEndpoint(), tab.getQuery()];
        }})()"""}, tab)
        assert "exceptionDetails" not in opened, opened
        name, endpoint, text = opened["result"]["value"]
        assert (name, endpoint) == (QUERY, served.base + "/sparql")
        assert text == (QUERIES / f"{QUERY}.rq").read_text(encoding="utf-8")
        table = wait_for_table(tools, tab, RESULT_WAIT)
        shot = tools.call("Page.captureScreenshot", {"format": "png"}, tab)
        requested = sorted(set(tools.requests().values()))
        failed = [e["params"] for e in tools.events if e.get("method") == "Network.loadingFailed"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "query-editor.png").write_bytes(base64.b64decode(shot["data"]))
    expected = expected_rows(QUERY)
    assert len(expected) == 31
    iso3 = table["head"].index("iso3")
    assert sorted(row[iso3].strip('"') for row in table["rows"]) == sorted(r["iso3"] for r in expected), table
    shown = json.dumps(table["rows"], ensure_ascii=False)
    assert all(r["name_zh"] in shown and r["name_en"] in shown for r in expected)
    origin = served.base + "/"
    assert [url for url in requested if not url.startswith((origin, "data:", "about:"))] == []
    assert failed == []
    assert {urlsplit(url).path for url in requested} >= {"/query/", f"/query/{YASGUI_FILES[0]}",
                                                           f"/query/{YASGUI_FILES[1]}", f"/query/{GLUE}", "/sparql"}
