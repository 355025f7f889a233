"""Median latency of every library query on pyoxigraph, rdflib and the Oxigraph server, on the built graph
and on a graph N times larger (the build replicated with resource IRIs rewritten per copy).

Usage: .venv/bin/python bench/query.py [--dist dist] [--copies 100] [--repeat 5] [--budget 60] [--limit 300]
A query whose first run on an engine takes longer than --budget seconds is not repeated (shown as ">N s" with its
single time); a first run still going after --limit seconds is stopped (">N s (stopped)"). The first run is made
in a forked child so that it can be stopped. The server is `oxigraph serve-read-only` on a loopback port, queried over
HTTP (SPARQL JSON results), so its column includes the protocol round trip. Times are the engines' own:
each query is parsed by the guard once, before timing; "(load)" is the time to load the graph.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kg_build.publish.scale import write_replicated
from kg_build.sparql.client import Endpoint
from kg_build.sparql.guard import check
from kg_build.sparql.query import (
    OxigraphEngine,
    QueryInfo,
    RdflibEngine,
    RemoteEngine,
    check_bindings,
    data_files,
    library,
)
from kg_build.sparql.results import Result, display_width
from kg_build.sparql.serve import OxigraphChild, load_store
from kg_build.sparql.terms import parse_binding

ENGINES = ("pyoxigraph", "rdflib", "oxigraph-server")


def first_run(run: Callable[[], Result], limit: float) -> tuple[float, int | None]:
    """Seconds and row count of one run in a forked child, stopped (by its pid) after `limit` seconds: a
    property-path query on rdflib can take hours on the large graph, and a thread cannot be stopped."""
    fork = multiprocessing.get_context("fork")
    reader, writer = fork.Pipe(duplex=False)

    def child() -> None:
        started = time.perf_counter()
        rows = len(run().rows)
        writer.send((time.perf_counter() - started, rows))

    process = fork.Process(target=child, daemon=True)
    started = time.perf_counter()
    process.start()
    answered = reader.poll(limit)
    result = reader.recv() if answered else (time.perf_counter() - started, None)
    if process.is_alive():
        process.kill()
    process.join()
    return result


def timed(run: Callable[[], Result], repeat: int, budget: float, limit: float) -> tuple[float, int | None]:
    """Median seconds over `repeat` runs after a warm-up, and the row count (None when stopped); the first run,
    in a child stopped after `limit` seconds, is the only one when it takes longer than `budget`."""
    first, rows = first_run(run, limit)
    if first > budget or rows is None:
        return first, rows
    run()  # warm-up in this process
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), rows


def bench_graph(dist: Path, queries: list[QueryInfo], repeat: int, budget: float, limit: float, work: Path) -> dict:
    """{(query, engine): (seconds, rows)} plus load times, for one dist folder."""
    files = data_files(dist)
    out: dict = {}
    started = time.perf_counter()
    engines = {"pyoxigraph": OxigraphEngine(files)}
    out["load", "pyoxigraph"] = (time.perf_counter() - started, 0)
    started = time.perf_counter()
    engines["rdflib"] = RdflibEngine(files)
    out["load", "rdflib"] = (time.perf_counter() - started, 0)
    child = OxigraphChild(work / "store", timeout=600)
    started = time.perf_counter()
    load_store(files, child.location)
    child.start()
    out["load", "oxigraph-server"] = (time.perf_counter() - started, 0)
    engines["oxigraph-server"] = RemoteEngine(Endpoint(f"{child.url}/query", timeout=600, retries=0))
    try:
        for info in queries:
            checked = check(info.path.read_text(encoding="utf-8"))  # the guard's parse (a few ms) is not timed
            bindings = dict(parse_binding(item) for item in info.example)
            check_bindings(checked, bindings)
            for name in ENGINES:
                out[info.name, name] = timed(lambda e=engines[name], c=checked, b=bindings: e.run(c, b), repeat, budget,
                                             limit)
                seconds, rows = out[info.name, name]
                print(f"  {info.name:32} {name:16} {seconds * 1000:10.1f} ms {rows if rows is not None else 'stopped'}",
                      file=sys.stderr)
    finally:
        child.stop()
    return out


def fmt(seconds: float, budget: float, rows: int | None = 0) -> str:
    if rows is None:
        return f">{seconds:.0f} s (stopped)"
    if seconds > budget:
        return f">{budget:g} s ({seconds:.0f} s)"
    return f"{seconds * 1000:.1f}" if seconds < 10 else f"{seconds:.1f} s"


def table(results: dict[str, dict], queries: list[QueryInfo], budget: float) -> str:
    """One row per query, one column per (graph, engine): median milliseconds."""
    columns = [(graph, engine) for graph in results for engine in ENGINES]
    header = ["query (ms, median)"] + [f"{graph} {engine}" for graph, engine in columns]
    rows = [["(load)"] + [fmt(results[g]["load", e][0], 1e9) if results[g]["load", e][0] < 10
                          else f"{results[g]['load', e][0]:.1f} s" for g, e in columns]]
    for info in queries:
        rows.append([info.name] + [fmt(results[g][info.name, e][0], budget, results[g][info.name, e][1])
                                   for g, e in columns])
    widths = [max(display_width(r[i]) for r in [header] + rows) for i in range(len(header))]
    lines = ["| " + " | ".join(c + " " * (w - display_width(c)) for c, w in zip(r, widths, strict=True)) + " |"
             for r in [header] + rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=Path("dist"))
    parser.add_argument("--queries", type=Path, default=Path("queries"))
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--limit", type=float, default=300.0, help="stop a single run after this many seconds")
    args = parser.parse_args()
    queries = library(args.queries)
    if not queries:
        parser.error(f"no queries in {args.queries}")
    with tempfile.TemporaryDirectory(prefix="ctoc-kg-bench-") as tmp:
        work = Path(tmp)
        big = write_replicated(args.dist, work / f"x{args.copies}", args.copies)
        sizes = {name: sum(sum(1 for _ in path.open(encoding="utf-8")) for path in data_files(dist))
                 for name, dist in (("seed", args.dist), ("x", big))}
        results = {}
        for label, dist in (("seed", args.dist), (f"x{args.copies}", big)):
            print(f"{label}: {dist}", file=sys.stderr)
            (work / f"run-{label}").mkdir()
            results[label] = bench_graph(dist, queries, args.repeat, args.budget, args.limit, work / f"run-{label}")
    print(f"seed graph: {sizes['seed']} triples (kg.nt + inferred.nt); x{args.copies}: {sizes['x']} triples; "
          f"median of {args.repeat} runs after a warm-up")
    print(table(results, queries, args.budget))
    return 0


if __name__ == "__main__":
    sys.exit(main())
