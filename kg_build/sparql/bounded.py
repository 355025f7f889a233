"""Run an embedded query in a child process with a time limit and a memory limit, streaming its output.

pyoxigraph 0.5 has no way to cancel a query (Store.query takes no timeout) and rdflib none either, so the engine
runs in a forked child: it loads the build, evaluates, and writes the formatted rows into a pipe as the engine
yields them; the parent copies them to its output and SIGKILLs the child (by pid) when the time is up. The
memory limit is an RLIMIT_AS set in the child once the build is loaded: what the query may add to the engine.
"""

from __future__ import annotations

import codecs
import multiprocessing
import os
import resource
import select
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TextIO

from kg_build.errors import UsageError
from kg_build.sparql.guard import CheckedRequest
from kg_build.sparql.printable import printable
from kg_build.sparql.query import BuildData, make_engine_for
from kg_build.sparql.results import write
from kg_build.sparql.terms import Term

READ_BYTES = 1 << 16


@dataclass(frozen=True)
class Limits:
    """How long the query may run (seconds, after the build is loaded), how much memory it may add (MB), and how
    many rows the output shows (None: the format's default)."""

    seconds: float
    memory_mb: int | None = None
    rows: int | None = None


def run_bounded(engine: str, files: BuildData | Sequence[Path], checked: CheckedRequest,
                bindings: Mapping[str, Term], fmt: str, out: TextIO, limits: Limits) -> bool:
    """Evaluate `checked` on `engine` over a build (its store or files) or N-Triples `files` in a child, writing
    the result to `out` in `fmt` as it comes.

    Returns True when rows were left out (the table's cap or --limit); raises UsageError on a failure, and
    `query time limit of N s exceeded` when the child was killed at the limit."""
    context = multiprocessing.get_context("fork")
    data_in, data_out = os.pipe()
    status_in, status_out = context.Pipe(duplex=False)
    child = context.Process(target=_child, name="ctoc-kg-query", daemon=True,
                            args=(engine, files, checked, bindings, fmt, limits, data_out, status_out, data_in))
    child.start()
    os.close(data_out)
    status_out.close()
    try:
        return _relay(child, data_in, status_in, out, limits)
    finally:
        if child.is_alive() and child.pid is not None:
            os.kill(child.pid, signal.SIGKILL)
        child.join()
        os.close(data_in)
        status_in.close()


def _relay(child: multiprocessing.process.BaseProcess, data_in: int, status_in: Connection, out: TextIO,
           limits: Limits) -> bool:
    """Copy the child's output to `out` until it is done, failed or out of time; return whether rows were cut."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    deadline: float | None = None
    status: tuple | None = None
    data_open = True
    while data_open or status is None:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select(([data_in] if data_open else []) + ([status_in] if status is None else []), [], [],
                                    wait)
        if deadline is not None and time.monotonic() >= deadline:
            raise UsageError(f"query time limit of {limits.seconds:g} s exceeded")
        if data_in in ready:
            chunk = os.read(data_in, READ_BYTES)
            out.write(decoder.decode(chunk, final=not chunk))
            data_open = bool(chunk)
        if status_in in ready:
            try:
                message = status_in.recv()
            except EOFError:
                message = ("died",)
            if message[0] == "loaded":
                deadline = time.monotonic() + limits.seconds
            else:
                status = message
    out.flush()
    if status[0] == "error":
        raise UsageError(status[1])
    if status[0] == "died":
        child.join()
        raise UsageError(_death(child.exitcode, limits))
    return bool(status[1])


def _death(exitcode: int | None, limits: Limits) -> str:
    """One line for a child that ended without a word: a Rust allocation failure aborts, the kernel kills."""
    how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit code {exitcode}"
    if limits.memory_mb is not None and exitcode in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV):
        return f"query memory limit of {limits.memory_mb} MB exceeded (the engine stopped with {how})"
    return f"the query engine stopped with {how}"


def _child(engine: str, files: BuildData | Sequence[Path], checked: CheckedRequest, bindings: Mapping[str, Term],
           fmt: str, limits: Limits, data_out: int, status_out: Connection, data_in: int) -> None:
    """In the child: load, limit memory, evaluate, stream the formatted answer, and report how it ended."""
    os.close(data_in)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it kills the child
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # engine noise (Rust's "memory allocation failed") stays out
    try:
        runner = make_engine_for(engine, files)
        if limits.memory_mb is not None:
            _limit_memory(limits.memory_mb)
        status_out.send(("loaded",))
        result = runner.stream(checked, bindings)
        with open(data_out, "w", encoding="utf-8", newline="", buffering=READ_BYTES) as out:
            cut = write(result, fmt, out, limits.rows)
        status_out.send(("done", cut))
    except UsageError as err:
        status_out.send(("error", str(err)))
    except MemoryError:
        status_out.send(("error", f"query memory limit of {limits.memory_mb} MB exceeded"))
    except BrokenPipeError:
        status_out.send(("done", True))  # the reader went away (a closed pager): nothing more to say
    except Exception as err:  # anything else still ends as one line, never a traceback from the child
        status_out.send(("error", f"the query engine failed: {printable(' '.join(str(err).split()))}"))


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space at its present size plus `megabytes` (never above a hard limit already
    set, such as a test's RLIMIT_AS)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = _address_space() + megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _address_space() -> int:
    """This process's virtual memory size in bytes (Linux /proc/self/statm: the first field, in pages)."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
