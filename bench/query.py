"""Median latency of every library query on pyoxigraph, rdflib and the Oxigraph server, on the built graph
and on a graph N times larger (the build replicated with resource IRIs rewritten per copy).

Usage: .venv/bin/python bench/query.py [--dist dist] [--copies 100] [--repeat 5] [--budget 60] [--limit 300]
       .venv/bin/python bench/query.py --cli [--dist dist] [--copies 50] [--build DIR] [--repeat 3]

With --cli: the wall time of `ctoc-kg query NAME --dist D --format csv` (a fresh process: start-up, opening the
build's store, evaluating, writing every row) for every library query, on a build folder of --copies copies of
--dist's kg.nt and inferred.nt with its store (50 copies of a 20-report build is the 1,000-report size), or on
--build DIR, a build folder kept from an earlier run (its store is written when missing). The start-up row is
`ctoc-kg query --list`: every import of the query path, no store.
A query whose first run on an engine takes longer than --budget seconds is not repeated (shown as ">N s" with its
single time); a first run still going after --limit seconds is stopped (">N s (stopped)"). The first run is made
in a forked child so that it can be stopped. The server is `oxigraph serve-read-only` on a loopback port, queried over
HTTP (SPARQL JSON results), so its column includes the protocol round trip. Times are the engines' own:
each query is parsed by the guard once, before timing; "(load)" is the time to load the graph.
"""

from __future__ import annotations

import argparse
import csv
import io
import multiprocessing
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kg_build.publish.scale import write_replicated, write_replicated_build
from kg_build.publish.store import has_store, write_store
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


def _children_cpu() -> float:
    """User + system seconds of this process's finished children (the CLI and the query child it forks)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cli_wall(argv: list[str], repeat: int) -> tuple[float, float, int]:
    """Median wall and CPU seconds of `ctoc-kg ARGV` in a fresh interpreter over `repeat` runs, and the CSV rows
    it wrote (0 when the output is not a query's CSV). CPU time is what a quiet machine's wall time comes near
    on a machine shared with other work."""
    walls, cpus, rows = [], [], 0
    for _ in range(repeat):
        cpu, started = _children_cpu(), time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "kg_build.cli", *argv], capture_output=True, text=True)
        walls.append(time.perf_counter() - started)
        cpus.append(_children_cpu() - cpu)
        if done.returncode != 0:
            raise SystemExit(f"ctoc-kg {' '.join(argv)}: {done.stderr.strip()}")
        rows = max(0, len(list(csv.reader(io.StringIO(done.stdout)))) - 1)
    return statistics.median(walls), statistics.median(cpus), rows


def cli_table(build: Path, queries: list[QueryInfo], queries_dir: Path, repeat: int) -> str:
    """One row per library query: rows, median wall and CPU seconds of the CLI on `build`; first, the start-up."""
    wall, cpu, _ = cli_wall(["query", "--list", "--queries", str(queries_dir)], repeat)
    lines = ["| query | rows | wall s | cpu s |", "|---|---:|---:|---:|",
             f"| (start-up: query --list) | | {wall:.2f} | {cpu:.2f} |"]
    for info in queries:
        argv = ["query", str(info.path), "--dist", str(build), "--format", "csv", "--timeout", "600"]
        argv += [arg for binding in info.example for arg in ("--bind", binding)]
        wall, cpu, rows = cli_wall(argv, repeat)
        print(f"  {info.name:36} {rows:8} rows {wall:8.2f} s {cpu:8.2f} s cpu", file=sys.stderr)
        lines.append(f"| {info.name} | {rows} | {wall:.2f} | {cpu:.2f} |")
    return "\n".join(lines)


def main_cli(args: argparse.Namespace, queries: list[QueryInfo]) -> int:
    """--cli: the CLI's wall time per library query on a replicated build with its store."""
    with tempfile.TemporaryDirectory(prefix="ctoc-kg-bench-cli-") as tmp:
        build = args.build or write_replicated_build(args.dist, Path(tmp) / f"x{args.copies}", args.copies)
        if not has_store(build):
            write_store(build)
        sizes = {name: sum(1 for _ in (build / name).open(encoding="utf-8")) for name in ("kg.nt", "inferred.nt")
                 if (build / name).is_file()}
        print(f"{build}: {sizes.get('kg.nt', 0)} asserted + {sizes.get('inferred.nt', 0)} inferred triples; "
              f"`ctoc-kg query` wall and CPU (user + system) time, median of {args.repeat} runs")
        print(cli_table(build, queries, args.queries, args.repeat))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=Path("dist"))
    parser.add_argument("--queries", type=Path, default=Path("queries"))
    parser.add_argument("--copies", type=int, default=None, help="graph copies (default: 100; with --cli: 50)")
    parser.add_argument("--cli", action="store_true", help="time the `ctoc-kg query` command on a build's store")
    parser.add_argument("--build", type=Path, default=None, help="with --cli: a build folder to use as it is")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--limit", type=float, default=300.0, help="stop a single run after this many seconds")
    args = parser.parse_args()
    queries = library(args.queries)
    if not queries:
        parser.error(f"no queries in {args.queries}")
    if args.cli:
        args.copies = args.copies or 50
        return main_cli(args, queries)
    args.copies = args.copies or 100
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
