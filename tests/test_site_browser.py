"""The site in a real browser. Debian's chromium (and CJK fonts) are installed with apt-get when absent;
pages are served on a loopback port and rendered headless with every other host unreachable. The Chinese
text of paragraph 1, read from the report file, must be in the rendered DOM; screenshots are saved under
test-artifacts/screenshots/ (git-ignored); links sampled from the report page open the pages they name;
and `ctoc-kg serve` answers each IRI with HTML or RDF by the Accept header."""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg_build.conneg import start_site_server
from kg_build.namespaces import BASE, CTOC
from tests.conftest import ROOT
from tests.test_dumps import paragraph_text, report_iri

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("CTOC_KG_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def apt_install(packages: list[str]) -> None:
    """Install Debian packages (the suite runs as root in CI, as the Makefile's setup does)."""
    if os.geteuid() != 0:
        pytest.fail(f"installing {' '.join(packages)} needs root (apt-get install -y {' '.join(packages)})")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages], check=True, env=env,
                   capture_output=True, timeout=1200)


def has_cjk_font() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60)
    return bool(found.stdout.strip())


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium with a font that has Chinese glyphs (installed when either is missing)."""
    missing = ([] if CHROMIUM.exists() else ["chromium"]) + ([] if has_cjk_font() else ["fonts-noto-cjk"])
    if missing:
        apt_install(missing if "fonts-noto-cjk" in missing else [*missing, "fonts-noto-cjk"])
    assert CHROMIUM.exists() and has_cjk_font()
    return CHROMIUM


def run_chromium(chromium: Path, url: str, *extra: str) -> str:
    """Run headless chromium on `url` with a fresh profile; its stdout (the DOM for --dump-dom)."""
    with tempfile.TemporaryDirectory(prefix="ctoc-kg-chromium-") as profile:
        done = subprocess.run([str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra, url],
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dump_dom(chromium: Path, url: str) -> str:
    return run_chromium(chromium, url, "--dump-dom")


def dom_text(dom: str) -> str:
    """The text of a serialized DOM (tags dropped: highlighted mentions split a paragraph into elements)."""
    return html.unescape(re.sub(r"<[^>]+>", "", dom))


@pytest.fixture(scope="module")
def site_url(built_dist: Path) -> Iterator[str]:
    """The built site on a loopback port (the same negotiation as `serve` and the web-server rules)."""
    server = start_site_server(built_dist / "site")
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def page_url(base: str, iri: str) -> str:
    return base + iri[len(BASE) - 1:] + "/"


def test_rendered_dom_has_paragraph_1(chromium: Path, site_url: str) -> None:
    text = paragraph_text(1)
    for iri in (str(report_iri()), f"{report_iri()}/para_1"):
        dom = dump_dom(chromium, page_url(site_url, iri))
        assert text in dom_text(dom), iri
        assert '<html lang="zh">' in dom


def test_screenshots(chromium: Path, site_url: str, kg: Graph) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = {"home": site_url + "/", "report": page_url(site_url, str(report_iri())),
             "paragraph-1": page_url(site_url, f"{report_iri()}/para_1"), "states": site_url + "/kinds/states/"}
    recommendation = next(iter(sorted(kg.subjects(RDF.type, CTOC.Recommendation))), None)
    if recommendation is not None:
        shots["recommendation"] = page_url(site_url, str(recommendation))
    for name, url in shots.items():
        path = SCREENSHOTS / f"{name}.png"
        path.unlink(missing_ok=True)
        run_chromium(chromium, url, f"--screenshot={path}", "--window-size=1280,1600")
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, name
    print(f"\nscreenshots: {SCREENSHOTS}")


def test_links_sampled_from_the_report_open_their_pages(chromium: Path, site_url: str, kg: Graph) -> None:
    """Eight internal links spread over the rendered report page, opened in the browser, show their IRI's label."""
    start = page_url(site_url, str(report_iri()))
    dom = dump_dom(chromium, start)
    links = sorted({urljoin(start, h) for h in re.findall(r'href="([^"#]+/index\.html)"', dom)})
    assert len(links) > 50
    sample = links[:: len(links) // 8][:8]
    for url in sample:
        path = unquote(urlsplit(url).path).removesuffix("/index.html")
        if path.startswith("/kinds/") or path == "":
            continue
        iri = URIRef(BASE[:-1] + path)
        labels = {str(o) for o in kg.objects(iri, RDFS.label)}
        page = dump_dom(chromium, url)
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
        assert heading is not None, url
        assert heading.group(1) in labels or not labels, (url, heading.group(1), labels)
        assert path in page or iri in page, url


@dataclass
class Served:
    process: subprocess.Popen
    base: str


@pytest.fixture(scope="module")
def served(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`ctoc-kg serve --port 0` on the build; its base URL from its first line; stopped by its pid."""
    log = tmp_path_factory.mktemp("serve-site") / "serve.log"
    with log.open("w") as err:
        process = subprocess.Popen([sys.executable, "-m", "kg_build.cli", "serve", "--dist", str(built_dist),
                                    "--port", "0"], stdout=subprocess.PIPE, stderr=err, text=True)
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(3)]
    found = re.search(r"(http://127\.0\.0\.1:\d+)/sparql", lines[0])
    if found is None or "linked-data site" not in lines[2]:
        process.kill()
        raise RuntimeError(f"serve did not start with the site: {lines} {log.read_text()}")
    try:
        yield Served(process, found.group(1))
    finally:
        process.terminate()
        process.wait(timeout=30)


def get(base: str, path: str, accept: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection(urlsplit(base).hostname, urlsplit(base).port, timeout=30)
    conn.request("GET", path, headers={"Accept": accept})
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body


def test_serve_negotiates_by_accept(served: Served, chromium: Path) -> None:
    unit = URIRef(f"{report_iri()}/para_1")
    path = str(unit)[len(BASE) - 1:]
    text = Literal(paragraph_text(1), lang="zh")
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/n-triples", "nt")):
        status, headers, body = get(served.base, path, accept)
        assert (status, headers["content-type"]) == (200, f"{accept}; charset=utf-8"), accept
        assert headers["vary"] == "Accept"
        data = Graph().parse(data=body.decode("utf-8"), format=fmt)
        assert (unit, CTOC.text, text) in data, accept
    status, headers, _ = get(served.base, path, BROWSER_ACCEPT)
    assert (status, headers["location"]) == (302, path + "/")
    status, headers, body = get(served.base, path + "/", BROWSER_ACCEPT)
    assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert paragraph_text(1) in dom_text(body.decode("utf-8"))
    assert get(served.base, "/kinds/states/", "text/turtle")[0] == 406
    ask = "/sparql?query=" + quote("ASK { ?s ?p ?o }")
    status, _, body = get(served.base, ask, "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True
    dom = dump_dom(chromium, served.base + path)  # the browser follows the redirect to the page
    assert paragraph_text(1) in dom_text(dom)
