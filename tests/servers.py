"""Real servers for the endpoint tests, each on a free loopback port and always stopped by its pid: an
Oxigraph server (read-write), Debian's Virtuoso (installed with apt-get when absent), a recording web
server that says whether anything contacted it; and a network canary refusing non-loopback connections."""

from __future__ import annotations

import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kg_build.sparql.serve import oxigraph_cli

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
VIOLATIONS: list[str] = []
_CANARY_INSTALLED = False


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _canary(event: str, args: tuple) -> None:
    """Audit hook: refuse (and record) any urllib request, DNS lookup or socket connect off the loopback."""
    host = None
    if event == "urllib.Request":
        host = urllib.parse.urlsplit(str(args[0])).hostname
    elif event == "socket.connect" and isinstance(args[1], tuple):
        host = str(args[1][0])
    elif event == "socket.getaddrinfo":
        host = str(args[0]) if args[0] is not None else None
    if host is not None and host not in LOOPBACK:
        VIOLATIONS.append(f"{event} {host}")
        raise RuntimeError(f"network canary: {event} to {host} refused (tests stay on the loopback)")


@pytest.fixture(scope="session")
def network_canary() -> Iterator[list[str]]:
    """Install the audit-hook canary once (audit hooks cannot be removed) and fail if anything tripped it."""
    global _CANARY_INSTALLED
    if not _CANARY_INSTALLED:
        sys.addaudithook(_canary)
        _CANARY_INSTALLED = True
    yield VIOLATIONS
    assert not VIOLATIONS, f"non-loopback network use: {VIOLATIONS}"


class RecordingServer:
    """A local web server that records every request it gets (to prove SERVICE calls never arrive)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                recorder.requests.append(f"{self.command} {self.path} {body}")
                payload = b'{"head":{"vars":[]},"results":{"bindings":[]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _record

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def recorder() -> Iterator[RecordingServer]:
    server = RecordingServer()
    yield server
    server.close()


def wait_http(url: str, process: subprocess.Popen, seconds: float) -> None:
    """Wait until `url` answers any HTTP status (the process must stay alive meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def stop_pid(process: subprocess.Popen | None, sig: int = signal.SIGTERM, wait: float = 15) -> None:
    """Stop one process by its pid: `sig`, then SIGKILL if it lingers."""
    if process is None or process.poll() is not None:
        return
    os.kill(process.pid, sig)
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


class OxigraphServer:
    """`oxigraph serve` (read-write) on a store folder; can be SIGKILLed and restarted on the same folder."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start (or restart, on the same port and folder)."""
        self.port = self.port or free_port()
        log = (self.location.parent / "oxigraph-server.log").open("ab")
        self.process = subprocess.Popen([oxigraph_cli(), "serve", "--location", str(self.location),
                                         "--bind", f"127.0.0.1:{self.port}"], stdout=log, stderr=log,
                                        stdin=subprocess.DEVNULL)
        log.close()
        wait_http(f"{self.base}/query?query=ASK%7B%7D", self.process, 20)

    def kill(self) -> None:
        """SIGKILL: the server dies with whatever it was doing."""
        stop_pid(self.process, signal.SIGKILL)

    def stop(self) -> None:
        stop_pid(self.process)


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path / "oxigraph-store")
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- Virtuoso (Debian's virtuoso-opensource) -------------------------------------------------------------

def ensure_virtuoso() -> str:
    """The virtuoso-t binary, installing Debian's virtuoso-opensource first when it is absent (as root)."""
    found = shutil.which("virtuoso-t")
    if found and glob.glob("/etc/virtuoso-opensource-*/virtuoso.ini"):
        return found
    if os.geteuid() != 0:
        raise RuntimeError("virtuoso-opensource is not installed and the tests are not running as root")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, capture_output=True, timeout=300)
    subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "virtuoso-opensource"],
                   check=True, env=env, capture_output=True, timeout=600)
    found = shutil.which("virtuoso-t")
    if not found:
        raise RuntimeError("virtuoso-t still missing after apt-get install virtuoso-opensource")
    return found


def virtuoso_ini(template: str, folder: Path, sql_port: int, http_port: int) -> str:
    """The package's virtuoso.ini with database files in `folder`, both ports on loopback, no result cap."""
    text = re.sub(r"/var/lib/virtuoso-opensource-[0-9]+/db/", f"{folder}/", template)
    sections = {"Parameters": {"ServerPort": f"127.0.0.1:{sql_port}"},
                "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}"},
                "SPARQL": {"ResultSetMaxRows": "1000000"}}
    out, section = [], ""
    for line in text.splitlines():
        header = re.match(r"^\[(.+)\]\s*$", line)
        if header:
            section = header.group(1)
        key = re.match(r"^\s*([A-Za-z_]+)\s*=", line)
        if key and key.group(1) in sections.get(section, {}):
            line = f"{key.group(1)} = {sections[section][key.group(1)]}"
        out.append(line)
    return "\n".join(out) + "\n"


class VirtuosoServer:
    """`virtuoso-t +configfile X +foreground` on a fresh database (user dba, password dba)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.binary = ensure_virtuoso()
        self.http_port = free_port()
        self.sql_port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        template = Path(sorted(glob.glob("/etc/virtuoso-opensource-*/virtuoso.ini"))[-1]).read_text()
        self.ini = folder / "virtuoso.ini"
        self.ini.write_text(virtuoso_ini(template, folder, self.sql_port, self.http_port))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> None:
        """Start (or restart after a kill: the stale lock file goes first; the transaction log replays)."""
        (self.folder / "virtuoso.lck").unlink(missing_ok=True)
        log = (self.folder / "virtuoso-stdout.log").open("ab")
        self.process = subprocess.Popen([self.binary, "+configfile", str(self.ini), "+foreground"], cwd=self.folder,
                                        stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()
        wait_http(f"{self.base}/sparql?query=ASK%7B%7D", self.process, 90)

    def kill(self) -> None:
        stop_pid(self.process, signal.SIGKILL)

    def stop(self) -> None:
        stop_pid(self.process, signal.SIGTERM, wait=30)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
