"""The site in a real browser. Debian's chromium (and CJK fonts) are installed with apt-get when absent;
pages are served on a loopback port and rendered headless with every other host unreachable. The Chinese
text of paragraph 1, read from the report file, must be in the rendered DOM; screenshots are saved under
test-artifacts/screenshots/ (git-ignored); one chromium driven through the DevTools protocol crawls the whole
site from its home page, following every internal link read from the live DOM (each target loads with HTTP 200,
each #fragment names an element there, each page shows its title as its h1, no other host is asked, every .html
file is reached); and `ctoc-kg serve` answers each IRI with HTML or RDF by the Accept header."""

from __future__ import annotations

import contextlib
import html
import http.client
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urldefrag, urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg_build.namespaces import BASE, CTOC
from kg_build.publish.site.conneg import SUFFIX_TYPES, start_site_server
from kg_build.publish.site.data import LABEL_PROPERTIES
from kg_build.publish.site.paths import href, page_iri, segments
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
    with tempfile.TemporaryDirectory(prefix="ctoc-kg-chromium-", ignore_cleanup_errors=True) as profile:
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


class DevTools:
    """The Chrome DevTools Protocol over chromium's --remote-debugging-pipe: NUL-terminated JSON messages, commands
    written to the browser's fd 3 (our stdin pipe), answers and events read from its fd 4 (our stdout pipe)."""

    def __init__(self, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.process = process
        self.writer = process.stdin
        self.reader = process.stdout.fileno()
        self.timeout = timeout
        self.buffer = bytearray()
        self.last_id = 0
        self.answers: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []

    def receive(self) -> None:
        """Read the next message from the browser into `answers` or `events` (TimeoutError when none comes)."""
        deadline = time.monotonic() + self.timeout
        while (end := self.buffer.find(b"\0")) < 0:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.reader], [], [], left)[0]:
                raise TimeoutError(f"no DevTools message from chromium in {self.timeout} s")
            chunk = os.read(self.reader, 1 << 20)
            if not chunk:
                raise EOFError(f"chromium closed its DevTools pipe (exit status {self.process.poll()})")
            self.buffer += chunk
        message = json.loads(self.buffer[:end])
        del self.buffer[: end + 1]
        if "id" in message:
            self.answers[message["id"]] = message
        else:
            self.events.append(message)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> int:
        """Send one command without waiting; its id, for `result`."""
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        self.writer.write(json.dumps(message).encode("utf-8") + b"\0")
        self.writer.flush()
        return self.last_id

    def result(self, command: int) -> dict[str, Any]:
        """The result of a command sent earlier (RuntimeError for a protocol error)."""
        while command not in self.answers:
            self.receive()
        answer = self.answers.pop(command)
        if "error" in answer:
            raise RuntimeError(f"DevTools command {command}: {answer['error']}")
        return answer["result"]

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        return self.result(self.send(method, params, session))

    def wait_event(self, method: str, session: str, since: int) -> dict[str, Any]:
        """The first `method` event of `session` from index `since` of `events` on, reading until it comes."""
        index = since
        while True:
            while index < len(self.events):
                event = self.events[index]
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
                index += 1
            self.receive()

    def requests(self) -> dict[str, str]:
        """The URL of every request the browser sent, by request id."""
        return {e["params"]["requestId"]: e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"}


PAGE_FACTS = """(() => ({
  href: location.href,
  links: Array.from(document.querySelectorAll('a[href], area[href], link[href]'),
                    e => [new URL(e.getAttribute('href'), location.href).href, e.getAttribute('href')]),
  ids: Array.from(document.querySelectorAll('[id]'), e => e.id),
  h1: Array.from(document.querySelectorAll('h1'), e => e.textContent.replace(/\\s+/g, ' ').trim()),
  title: document.title.replace(/\\s+/g, ' ').trim(),
  iri: document.querySelector('main > p.iri')?.textContent ?? null,
}))()"""
FETCH_ALL = "Promise.all({urls}.map(u => fetch(u).then(r => [u, r.status], e => [u, 0])))"
DATA_SUFFIXES = frozenset(SUFFIX_TYPES) - {".html"}
TABS = 4


@dataclass
class Visit:
    """What the browser showed at one URL: HTTP status, navigation error, and what its live DOM holds."""

    status: int | None
    error: str = ""
    href: str = ""
    ids: frozenset[str] = frozenset()
    h1: tuple[str, ...] = ()
    title: str = ""
    iri: str | None = None


@dataclass
class Crawl:
    """One browser's walk over a site: the pages it opened, the data files it fetched (status by URL), every
    internal link as (page, href attribute, resolved URL), every URL it requested and every failed load."""

    origin: str
    pages: dict[str, Visit]
    files: dict[str, int]
    links: list[tuple[str, str, str]]
    requests: list[str]
    failed: list[str]
    seconds: float


def open_pages(tools: DevTools, tabs: list[str], urls: list[str]) -> list[tuple[Visit, list[list[str]]]]:
    """Navigate a tab to each URL at once and wait for each load event; each status, its DOM's facts and links."""
    since = len(tools.events)
    pairs = list(zip(tabs[: len(urls)], urls, strict=True))
    sent = [tools.send("Page.navigate", {"url": url}, tab) for tab, url in pairs]
    navigations = [tools.result(command) for command in sent]
    loaded = [not n.get("errorText") for n in navigations]
    for (tab, _), ok in zip(pairs, loaded, strict=True):
        tools.wait_event("Page.loadEventFired" if ok else "Page.frameStoppedLoading", tab, since)
    asked = [tools.send("Runtime.evaluate", {"expression": PAGE_FACTS, "returnByValue": True}, tab) if ok else 0
             for (tab, _), ok in zip(pairs, loaded, strict=True)]
    visits = []
    for navigation, command in zip(navigations, asked, strict=True):
        if not command:
            visits.append((Visit(None, navigation["errorText"]), []))
            continue
        status = next((e["params"]["response"]["status"] for e in tools.events[since:]
                       if e.get("method") == "Network.responseReceived"
                       and e["params"].get("loaderId") == navigation.get("loaderId")), None)
        found = tools.result(command)["result"]["value"]
        visits.append((Visit(status, "", found["href"], frozenset(found["ids"]), tuple(found["h1"]), found["title"],
                             found["iri"]), found["links"]))
    return visits


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the browser by its pid (SIGTERM, then SIGKILL) and close our ends of its pipes."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)
    for pipe in (process.stdin, process.stdout):
        if pipe is not None:
            pipe.close()


@contextlib.contextmanager
def devtools_browser(chromium: Path) -> Iterator[DevTools]:
    """A headless chromium with a fresh profile driven through the DevTools protocol; stopped by its pid after."""
    with tempfile.TemporaryDirectory(prefix="ctoc-kg-chromium-", ignore_cleanup_errors=True) as profile:
        # fd 3 and 4 of the browser are the pipe ends of our stdin and stdout (--remote-debugging-pipe)
        command = ["/bin/sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null', str(chromium),
                   *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
        try:
            yield DevTools(process)
        finally:
            stop(process)


def crawl_site(chromium: Path, start: str) -> Crawl:
    """Open `start` in one headless chromium driven by DevTools and follow every same-origin link breadth first,
    TABS pages at a time: pages are navigated to, data files (Turtle, JSON-LD, N-Triples) fetched from a page."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start))
    began = time.monotonic()
    with devtools_browser(chromium) as tools:
        tabs = []
        for _ in range(TABS):
            target = tools.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            tabs.append(tools.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"])
            for domain in ("Page", "Network"):
                tools.call(f"{domain}.enable", session=tabs[-1])
        pages: dict[str, Visit] = {}
        files: dict[str, int] = {}
        links: list[tuple[str, str, str]] = []
        queue, queued = deque([start]), {start}
        while queue:
            batch = [queue.popleft() for _ in range(min(TABS, len(queue)))]
            fetches: list[tuple[str, list[str]]] = []
            for page, session, (visit, found) in zip(batch, tabs, open_pages(tools, tabs, batch), strict=False):
                pages[page] = visit
                fetch: list[str] = []
                for resolved, raw in found:
                    target_url = urldefrag(resolved).url
                    if not resolved.startswith(origin + "/"):
                        continue
                    links.append((page, raw, resolved))
                    if Path(urlsplit(target_url).path).suffix not in DATA_SUFFIXES:
                        if target_url not in queued:
                            queued.add(target_url)
                            queue.append(target_url)
                    elif target_url not in files:
                        fetch.append(target_url)
                        files[target_url] = 0
                if fetch:
                    fetches.append((session, fetch))
            sent = [tools.send("Runtime.evaluate", {"expression": FETCH_ALL.format(urls=json.dumps(fetch)),
                                                    "awaitPromise": True, "returnByValue": True}, session)
                    for session, fetch in fetches]
            for command in sent:
                files.update((url, status) for url, status in tools.result(command)["result"]["value"])
        requested = tools.requests()
        failed = [f"{requested.get(e['params']['requestId'], '?')}: {e['params']['errorText']}"
                  for e in tools.events if e.get("method") == "Network.loadingFailed"]
    return Crawl(origin, pages, files, links, sorted(set(requested.values())), failed, time.monotonic() - began)


def site_path(url: str) -> str:
    """A URL's path on the site and its fragment, decoded, for messages."""
    parts = urlsplit(url)
    return unquote(parts.path + (f"#{parts.fragment}" if parts.fragment else ""))


def page_file(url: str) -> str:
    """The file under the site folder a page URL is served from."""
    path = unquote(urlsplit(url).path).lstrip("/")
    return path + "index.html" if path.endswith("/") or not path else path


def crawl_problems(crawl: Crawl, site: Path, kg: Graph) -> list[str]:
    """Everything wrong that a crawl saw, one line each naming the page and, for a link, its href and target."""
    problems = []
    for page, raw, resolved in crawl.links:
        target, fragment = urldefrag(resolved)
        where = f"{site_path(page)}: link {raw!r} -> {site_path(resolved)}"
        visit = crawl.pages.get(target)
        if visit is None:
            status = crawl.files.get(target)
            if status != 200 or fragment:
                problems.append(f"{where}: HTTP {status}" + (" and a fragment on a data file" if fragment else ""))
        elif visit.error or visit.status != 200:
            problems.append(f"{where}: {visit.error or f'HTTP {visit.status}'}")
        elif fragment and unquote(fragment) not in visit.ids:
            problems.append(f"{where}: the page has no element with id {unquote(fragment)!r}")
    for url, visit in crawl.pages.items():
        path = site_path(url)
        if visit.error or visit.status != 200:
            problems.append(f"{path}: {visit.error or f'HTTP {visit.status}'}")
            continue
        if visit.href != url:
            problems.append(f"{path}: the browser ended at {visit.href}")
        if len(visit.h1) != 1 or not visit.h1[0] or visit.h1[0] != visit.title:
            problems.append(f"{path}: h1 {visit.h1} is not one non-empty heading equal to the title {visit.title!r}")
            continue
        if path.startswith("/id/"):
            if visit.iri is None or page_iri(visit.iri) is None or unquote("/" + href((), segments(visit.iri))) != path:
                problems.append(f"{path}: shows the IRI {visit.iri!r}, whose page is elsewhere")
                continue
            labels = {" ".join(str(o).split()) for p in LABEL_PROPERTIES for o in kg.objects(URIRef(visit.iri), p)}
            if labels and visit.h1[0] not in labels:
                problems.append(f"{path}: h1 {visit.h1[0]!r} is none of the labels {sorted(labels)} of {visit.iri}")
    problems += [f"request to another host: {url}" for url in crawl.requests
                 if not url.startswith((crawl.origin + "/", "about:", "data:"))]
    problems += [f"failed load: {failure}" for failure in crawl.failed]
    reached = {page_file(url) for url, visit in crawl.pages.items() if visit.status == 200 and not visit.error}
    problems += [f"{file}: never reached by a link" for file in
                 sorted({p.relative_to(site).as_posix() for p in site.rglob("*.html")} - reached)]
    return problems


def test_browser_crawl_follows_every_internal_link(chromium: Path, site_url: str, built_dist: Path, kg: Graph) -> None:
    """From the home page, one headless chromium opens every page and data file an internal link names: each loads
    with HTTP 200, each #fragment names an element id there, each page shows its title (for an IRI's page, its
    IRI and one of its labels) as its one h1, nothing is asked of another host, and every .html file is reached."""
    crawl = crawl_site(chromium, site_url + "/index.html")
    problems = crawl_problems(crawl, built_dist / "site", kg)
    assert not problems, f"{len(problems)} problems, first ones:\n" + "\n".join(problems[:25])
    assert len(crawl.pages) > 100 and len(crawl.links) > 10 * len(crawl.pages) and crawl.files
    print(f"\ncrawled {len(crawl.pages)} pages, {len(crawl.files)} data files, {len(crawl.links)} internal links, "
          f"{len(crawl.requests)} requests in {crawl.seconds:.1f} s")


def test_browser_crawl_reports_what_is_broken(chromium: Path, tmp_path: Path) -> None:
    """On a small site with a missing page, a missing fragment, an empty heading, an outside image and an unlinked
    page, the crawl names each page and link that is wrong."""
    pages = {
        "index.html": '<title>Home</title><h1>Home</h1><a href="a/index.html">a</a> <a href="gone/index.html">gone</a>'
                      ' <a href="a/index.html#nowhere">a#nowhere</a> <a href="a/index.ttl">data</a>'
                      ' <a href="https://example.org/x">outside</a> <img src="https://example.org/x.png" alt="">',
        "a/index.html": '<title>A</title><h1> </h1><a href="#top">top</a> <a href="../index.html">home</a><p id="top">',
        "orphan/index.html": "<title>O</title><h1>O</h1>",
    }
    for name, body in pages.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f'<!DOCTYPE html><html lang="en"><meta charset="utf-8">{body}</html>')
    server = start_site_server(tmp_path)
    try:
        crawl = crawl_site(chromium, f"http://127.0.0.1:{server.server_address[1]}/index.html")
    finally:
        server.shutdown()
        server.server_close()
    problems = "\n".join(crawl_problems(crawl, tmp_path, Graph()))
    for expected in ("/index.html: link 'gone/index.html' -> /gone/index.html: HTTP 404",
                     "/gone/index.html: HTTP 404",
                     "/index.html: link 'a/index.html#nowhere' -> /a/index.html#nowhere: the page has no element with"
                     " id 'nowhere'",
                     "/index.html: link 'a/index.ttl' -> /a/index.ttl: HTTP 404",
                     "/a/index.html: h1 ('',) is not one non-empty heading",
                     "request to another host: https://example.org/x.png",
                     "orphan/index.html: never reached by a link"):
        assert expected in problems, problems
    assert "'#top'" not in problems and "'../index.html'" not in problems, problems
    assert "https://example.org/x\n" not in problems + "\n", problems


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
        status, headers, _ = get(served.base, path, accept)  # the IRI: 303 to its document in that format
        assert (status, headers["vary"]) == (303, "Accept"), accept
        status, headers, body = get(served.base, headers["location"], accept)
        assert (status, headers["content-type"]) == (200, f"{accept}; charset=utf-8"), accept
        data = Graph().parse(data=body.decode("utf-8"), format=fmt)
        assert (unit, CTOC.text, text) in data, accept
    status, headers, _ = get(served.base, path, BROWSER_ACCEPT)
    assert (status, headers["location"]) == (303, path + "/index.html")
    status, headers, body = get(served.base, path + "/", BROWSER_ACCEPT)
    assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert paragraph_text(1) in dom_text(body.decode("utf-8"))
    assert get(served.base, "/kinds/states", "text/turtle")[0] == 406
    ask = "/sparql?query=" + quote("ASK { ?s ?p ?o }")
    status, _, body = get(served.base, ask, "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True
    dom = dump_dom(chromium, served.base + path)  # the browser follows the redirect to the page
    assert paragraph_text(1) in dom_text(dom)
