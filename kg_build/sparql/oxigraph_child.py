"""The query engine behind `ctoc-kg serve`: an `oxigraph serve-read-only` child process (PyPI package
`oxigraph`) on a private loopback port, loaded from the build, health-checked, and stopped by its pid."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kg_build.errors import UsageError

HOST = "127.0.0.1"
RESULTS_JSON = "application/sparql-results+json"


def oxigraph_cli() -> str:
    """Path of the `oxigraph` command installed with the PyPI package (beside this Python first)."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.is_file() else shutil.which("oxigraph")
    if not found:
        raise UsageError("the `oxigraph` command is not installed (pip install oxigraph)")
    return found


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def load_store(files: Sequence[Path], location: Path) -> None:
    """Load N-Triples files into an Oxigraph store folder with `oxigraph load` (atomic, then closed)."""
    cmd = [oxigraph_cli(), "load", "--location", str(location)]
    for path in files:
        cmd += ["--file", str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise UsageError(f"oxigraph load failed: {' '.join(done.stderr.split())[:300]}")


@dataclass
class OxigraphChild:
    """`oxigraph serve-read-only` on a private loopback port, started, health-checked and stopped by pid."""

    location: Path
    timeout: float
    port: int = 0
    process: subprocess.Popen | None = None
    log: Path | None = None  # default: oxigraph.log beside the store folder
    union: bool = False  # the default graph is the union of all graphs (a build's store: asserted + inferred)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, wait: float = 20.0) -> None:
        """Start the child and wait until it answers `ASK {}`."""
        self.port = free_port()
        self.log = self.log or self.location.parent / "oxigraph.log"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [oxigraph_cli(), "serve-read-only", "--location", str(self.location), "--bind", f"{HOST}:{self.port}",
                 "--timeout-s", str(max(1, round(self.timeout))), *(["--union-default-graph"] if self.union else [])],
                stdout=log, stderr=log, stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(errors="replace")[-300:]
                code = self.process.returncode
                raise UsageError(f"oxigraph serve-read-only exited with {code}: {' '.join(tail.split())}")
            if self.healthy():
                return
            time.sleep(0.1)
        self.stop()
        raise UsageError(f"oxigraph serve-read-only did not answer on {self.url} within {wait:.0f} s")

    def healthy(self) -> bool:
        """True when the child answers a trivial query."""
        try:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
            conn.request("GET", "/query?query=" + urllib.parse.quote("ASK {}"), headers={"Accept": RESULTS_JSON})
            ok = conn.getresponse().status == 200
            conn.close()
            return ok
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the child by its pid: SIGTERM, then SIGKILL after 5 s."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
