"""The Cool-URI rules give the same answers in every server: ``ctoc-kg serve``, Debian's Apache (with the
build's .htaccess) and nginx (with the build's nginx.conf snippet), installed when absent, each on a free
loopback port over the built folder and stopped by its pid. One request table (paths × Accept headers,
q-values included) is replayed against each and compared with the Python resolver: status, Location,
Content-Type, Last-Modified and the body's bytes; then If-None-Match with each server's own ETag gives 304.
The site-alone rules (site/.htaccess, site/nginx.conf) are replayed with the table's site rows."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, Literal, URIRef

from kg_build.namespaces import BASE, CTOC
from kg_build.publish.site.conneg import respond
from tests.servers import free_port, stop_pid
from tests.test_dumps import paragraph_text, report_iri
from tests.test_serve import start_serve
from tests.test_site_browser import BROWSER_ACCEPT, apt_install

APACHE, NGINX = Path("/usr/sbin/apache2"), Path("/usr/sbin/nginx")
APACHE_MODULES = ("mpm_event", "authz_core", "dir", "mime", "rewrite", "headers")
IRI = "/id/state/ECU"
# (path, Accept) — None sends no Accept header. Rows outside the site need the whole build as web root.
REQUESTS: tuple[tuple[str, str | None], ...] = (
    (IRI, BROWSER_ACCEPT), (IRI, None), (IRI, "*/*"), (IRI, "text/*"), (IRI, "application/*"),
    (IRI, "text/turtle"), (IRI, "application/ld+json"), (IRI, "application/n-triples"), (IRI, "application/rdf+xml"),
    (IRI, "text/html;q=0, text/turtle"), (IRI, "text/html;q=0.0, application/rdf+xml;q=0.5"),
    (IRI, "application/rdf+xml, */*;q=0.1"), (IRI, "TEXT/TURTLE"), (IRI, "image/png"), (IRI, "text/html;q=0"),
    (IRI + "/", BROWSER_ACCEPT), (IRI + "/index.ttl", BROWSER_ACCEPT), (IRI + "/index.rdf", None),
    (IRI + "/index.jsonld", "text/turtle"), ("/", BROWSER_ACCEPT), ("/index.html", None),
    ("/kinds/states", BROWSER_ACCEPT), ("/kinds/states", "text/turtle"), ("/kinds/states/", "text/turtle"),
    ("/id/state/XXX", "text/turtle"), ("/id", "text/turtle"), ("/id/state/ECU/nothing.ttl", None),
    ("/ontology", BROWSER_ACCEPT), ("/ontology", "text/turtle"), ("/ontology", "application/rdf+xml"),
    ("/ontology", "application/ld+json"), ("/ontology", "text/html;q=0, application/n-triples"),
    ("/ontology", "image/png"), ("/ontology/", BROWSER_ACCEPT), ("/ontology/ctoc.ttl", None),
    ("/ontology/classes.svg", None), ("/dataset", BROWSER_ACCEPT), ("/dataset", "text/turtle"),
    ("/dataset", "application/n-triples"), ("/dataset", "text/html"), ("/dist/kg.nt", None),
    ("/dist/kg.rdf", "application/rdf+xml"), ("/dist/void.ttl", BROWSER_ACCEPT), ("/dist/site/", BROWSER_ACCEPT),
    ("/dist/", None), ("/dist/site", None), ("/kg.nt", None), ("/void.ttl", None),
)
CONDITIONAL = (IRI + "/index.ttl", "/ontology/ctoc.rdf", "/dist/kg.nt", "/")
OUTSIDE_SITE = ("/ontology", "/dataset", "/dist/", "/kg.nt", "/void.ttl")


@dataclass(frozen=True)
class Server:
    """A running server: its kind, port, web root and the site folder inside it ("" for the site alone)."""

    kind: str
    port: int
    root: Path
    site_dir: str


@pytest.fixture(scope="session")
def web_servers() -> None:
    missing = [p for p, exe in (("apache2", APACHE), ("nginx-light", NGINX)) if not exe.exists()]
    if missing:
        apt_install(missing)


def apache_conf(root: Path, work: Path, port: int) -> str:
    modules = "\n".join(f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so" for m in APACHE_MODULES)
    return f"""ServerRoot "{work}"
PidFile {work}/httpd.pid
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
{modules}
TypesConfig /etc/mime.types
ErrorLog {work}/error.log
DocumentRoot "{root}"
<Directory "/">
  AllowOverride None
</Directory>
<Directory "{root}">
  AllowOverride All
  Require all granted
</Directory>
"""


def nginx_conf(root: Path, work: Path, port: int) -> str:
    http_part, server_part = (root / "nginx.conf").read_text(encoding="utf-8").split("# 2. In the server", 1)
    temp = " ".join(f"{name}_temp_path {work}/{name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the test's private temp folders
    return f"""daemon off;
{user}
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{}}
http {{
access_log off;
{temp}
{http_part}
server {{
listen 127.0.0.1:{port};
root {root};
{server_part.split(chr(10), 1)[1]}
}}
}}
"""


def wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("HEAD", "/")
            conn.getresponse()
            conn.close()
            return
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    raise RuntimeError(f"server did not start: {log.read_text() if log.exists() else ''}")


@pytest.fixture(scope="module", params=["serve", "apache", "nginx", "apache-site", "nginx-site"])
def server(request: pytest.FixtureRequest, web_servers: None, built_dist: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server over the built folder (or, for the *-site ones, the site alone) on a free port."""
    kind, _, alone = request.param.partition("-")
    work = tmp_path_factory.mktemp(request.param)
    if kind == "serve":
        served = start_serve(built_dist, work / "serve.log")
        try:
            yield Server(kind, int(urlsplit(served.url).port or 0), built_dist.resolve(), "site")
        finally:
            stop_pid(served.process)
        return
    root, site_dir, port = (built_dist / alone if alone else built_dist).resolve(), "" if alone else "site", free_port()
    if kind == "apache":
        (work / "httpd.conf").write_text(apache_conf(root, work, port), encoding="utf-8")
        cmd = [str(APACHE), "-f", str(work / "httpd.conf"), "-D", "FOREGROUND"]
    else:
        (work / "nginx.conf").write_text(nginx_conf(root, work, port), encoding="utf-8")
        cmd = [str(NGINX), "-c", str(work / "nginx.conf"), "-p", str(work)]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "APACHE_RUN_DIR": str(work)})
    try:
        wait_for(port, process, work / "error.log")
        yield Server(kind, port, root, site_dir)
    finally:
        stop_pid(process, signal.SIGTERM if kind == "nginx" else signal.SIGWINCH)


def get(port: int, path: str, accept: str | None, if_none_match: str | None = None
        ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    headers = {"Accept": accept} if accept is not None else {}
    if if_none_match:
        headers["If-None-Match"] = if_none_match
    conn.request("GET", path, headers=headers)
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body


def comparable(status: int, headers: dict[str, str], body: bytes) -> tuple[object, ...]:
    """What every server must agree on: status, Location's path, Content-Type, Last-Modified, and the body of a
    document or a 406 (a 303's or 404's body is each server's own words)."""
    media = headers.get("content-type", "").replace(" ", "").lower() if status in (200, 406) else None
    return (status, urlsplit(headers.get("location", "")).path or None, media,
            headers.get("last-modified") if status == 200 else None, body if status in (200, 406) else None)


def rows(server: Server) -> list[tuple[str, str | None]]:
    return [r for r in REQUESTS if server.site_dir or not r[0].startswith(OUTSIDE_SITE)]


def test_same_answers_as_the_resolver(server: Server) -> None:
    """Every row of the table answers like the Python resolver (the reference `serve` runs on)."""
    wrong = []
    for path, accept in rows(server):
        status, body, headers = respond(server.root, path, accept, None, server.site_dir)
        expected = comparable(status, {k.lower(): v for k, v in headers.items()}, body)
        got = comparable(*get(server.port, path, accept))
        if got != expected:
            wrong.append(f"{path} Accept {accept!r}: {got[:4]} != {expected[:4]}")
    assert not wrong, "\n".join(wrong)


def test_if_none_match_gives_304(server: Server) -> None:
    for path in CONDITIONAL:
        if not server.site_dir and path.startswith(OUTSIDE_SITE):
            continue
        status, headers, _ = get(server.port, path, None)
        assert status == 200 and headers.get("etag"), path
        again, headers304, body = get(server.port, path, None, if_none_match=headers["etag"])
        assert (again, body) == (304, b""), path
        assert get(server.port, path, None, if_none_match='"not-this-one"')[0] == 200, path


def test_a_paragraph_in_every_format(server: Server) -> None:
    """A paragraph's IRI: 303 to its document in each format, which holds the paragraph's text."""
    unit = URIRef(f"{report_iri()}/para_1")
    path = str(unit)[len(BASE) - 1:]
    text = Literal(paragraph_text(1), lang="zh")
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/n-triples", "nt"), ("application/rdf+xml", "xml")):
        status, headers, _ = get(server.port, path, accept)
        assert status == 303 and "Accept" in headers.get("vary", ""), accept
        document = urlsplit(headers["location"]).path
        status, headers, body = get(server.port, document, accept)
        assert (status, headers["content-type"].replace(" ", "").lower()) == (200, f"{accept};charset=utf-8")
        assert (unit, CTOC.text, text) in Graph().parse(data=body.decode("utf-8"), format=fmt), accept
    status, headers, _ = get(server.port, path, BROWSER_ACCEPT)
    assert status == 303 and urlsplit(headers["location"]).path == path + "/index.html"
    status, _, body = get(server.port, path + "/index.html", BROWSER_ACCEPT)
    assert status == 200 and 'id="quote-zh"' in body.decode("utf-8")
