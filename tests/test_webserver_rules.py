"""The content-negotiation rules written for web servers work in the real servers: Debian's Apache (with
the site's .htaccess) and nginx (with the site's nginx.conf snippet), installed when absent, each started
on a free loopback port with a private config over the built site and stopped by its pid."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg_build.namespaces import BASE, CTOC
from tests.servers import free_port
from tests.test_dumps import paragraph_text, report_iri
from tests.test_site_browser import BROWSER_ACCEPT, apt_install

APACHE, NGINX = Path("/usr/sbin/apache2"), Path("/usr/sbin/nginx")
APACHE_MODULES = ("mpm_event", "authz_core", "dir", "mime", "rewrite", "headers")


@pytest.fixture(scope="session")
def web_servers() -> None:
    missing = [p for p, exe in (("apache2", APACHE), ("nginx-light", NGINX)) if not exe.exists()]
    if missing:
        apt_install(missing)


def apache_conf(site: Path, work: Path, port: int) -> str:
    modules = "\n".join(f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so" for m in APACHE_MODULES)
    return f"""ServerRoot "{work}"
PidFile {work}/httpd.pid
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
{modules}
TypesConfig /etc/mime.types
ErrorLog {work}/error.log
DocumentRoot "{site}"
<Directory "{site}">
  AllowOverride All
  Require all granted
</Directory>
"""


def nginx_conf(site: Path, work: Path, port: int) -> str:
    http_part, server_part = (site / "nginx.conf").read_text(encoding="utf-8").split("# 2. In the server", 1)
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
root {site};
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


@pytest.fixture(scope="module", params=["apache", "nginx"])
def server(request: pytest.FixtureRequest, web_servers: None, built_dist: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """One server over the built site on a free port; yields the port, then stops it by its pid."""
    site, work, port = (built_dist / "site").resolve(), tmp_path_factory.mktemp(request.param), free_port()
    if request.param == "apache":
        (work / "httpd.conf").write_text(apache_conf(site, work, port), encoding="utf-8")
        cmd = [str(APACHE), "-f", str(work / "httpd.conf"), "-D", "FOREGROUND"]
    else:
        (work / "nginx.conf").write_text(nginx_conf(site, work, port), encoding="utf-8")
        cmd = [str(NGINX), "-c", str(work / "nginx.conf"), "-p", str(work)]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "APACHE_RUN_DIR": str(work)})
    try:
        wait_for(port, process, work / "error.log")
        yield port
    finally:
        process.send_signal(signal.SIGTERM if request.param == "nginx" else signal.SIGWINCH)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def get(port: int, path: str, accept: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    conn.request("GET", path, headers={"Accept": accept})
    answer = conn.getresponse()
    body = answer.read()
    conn.close()
    return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body


def test_negotiation_in_a_real_web_server(server: int) -> None:
    unit = URIRef(f"{report_iri()}/para_1")
    path = str(unit)[len(BASE) - 1:]
    text = Literal(paragraph_text(1), lang="zh")
    for accept, fmt in (("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                        ("application/n-triples", "nt")):
        status, headers, body = get(server, path, accept)
        assert (status, headers["content-type"].replace(" ", "")) == (200, f"{accept};charset=utf-8"), accept
        assert "Accept" in headers.get("vary", ""), accept
        assert (unit, CTOC.text, text) in Graph().parse(data=body.decode("utf-8"), format=fmt), accept
    status, headers, _ = get(server, path, BROWSER_ACCEPT)
    assert status == 302 and headers["location"].endswith(path + "/")
    status, headers, body = get(server, path + "/", BROWSER_ACCEPT)
    assert status == 200 and headers["content-type"].replace(" ", "").lower() == "text/html;charset=utf-8"
    assert 'id="quote-zh"' in body.decode("utf-8")
    assert get(server, path + "/index.ttl", BROWSER_ACCEPT)[1]["content-type"].startswith("text/turtle")
    assert get(server, path + "-missing", "text/turtle")[0] == 404
