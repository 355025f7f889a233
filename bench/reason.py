"""Time, CPU time and peak memory of the OWL 2 RL closure with the fast engine and with owlrl, on the built
graph and on a graph made of N copies of its reports, and whether the two closures are equal.

Usage: .venv/bin/python bench/reason.py [--dist DIR] [--factor 100] [--budget 1800] [--engines store,fast,owlrl]

Engines compared (kg_build.reason.closure, trimmed as the build writes it):
  store: kg_build/reason/store.py, the fast engine's rules over kg.nt bulk-loaded into pyoxigraph (`ctoc-kg reason`)
  fast : kg_build/reason/fast.py, the build's engine, on rdflib
  owlrl: owlrl over the pruned input, the reference
Each cell runs in a child process: seconds is wall time and cpu the child's CPU seconds for the closure
alone (loading the graph is in neither), peak MB the child's maximum resident set size (loading included).
On a shared machine the CPU seconds are the steadier figure. A cell still running after --budget seconds is
stopped and shown as such. The copies are made as bench/validate.py makes them (report-scoped IRIs get a
copy suffix, registry entities are shared); each cell writes its closure's sorted N-Triples so the table can
say whether the engines agree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from validate import build_seed, write_copies

ENGINES = ("store", "fast", "owlrl")


def run_cell(engine: str, folder: Path) -> dict[str, object]:
    """Reason over folder/kg.nt in this (child) process; return the effort and a digest of the closure."""
    from kg_build.graph_files import read_graph
    from kg_build.reason.closure import compute_closure, compute_store_closure, load_ontology
    from kg_build.serialize import canonical_ntriples
    from kg_build.validate.on_store import CheckStore

    ontology = load_ontology()
    if engine == "store":
        checked = CheckStore.from_ntriples([folder / "kg.nt"])
        cpu, started = time.process_time(), time.perf_counter()
        closure = compute_store_closure(checked.store, ontology, timeout=1e9, literals=checked.literals)
    else:
        asserted = read_graph([folder / "kg.nt"])
        cpu, started = time.process_time(), time.perf_counter()
        closure = compute_closure(asserted, ontology, timeout=1e9, engine=engine)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    text = canonical_ntriples(closure.inferred)
    digest = hashlib.sha256((text + "\n".join(closure.inconsistencies)).encode("utf-8")).hexdigest()[:12]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak, "inferred": len(closure.inferred),
            "inconsistent": len(closure.inconsistencies), "sha": digest}


def child(engine: str, folder: Path, budget: float) -> dict[str, object]:
    """Run a cell in a child process, stopped after `budget` seconds."""
    command = [sys.executable, __file__, "--cell", engine, str(folder)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=budget, check=True)
    except subprocess.TimeoutExpired:
        return {}
    except subprocess.CalledProcessError as err:
        raise SystemExit(f"{engine} on {folder} failed:\n{err.stderr}") from None
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(graph: str, triples: int, engine: str, cell: dict[str, object], budget: float) -> str:
    if not cell:
        return f"{graph:<11} {triples:>9}  {engine:<6} {'> ' + format(budget, '.0f'):>9}"
    return (f"{graph:<11} {triples:>9}  {engine:<6} {cell['seconds']:9.2f} {cell['cpu']:8.2f} {cell['peak_mb']:8.0f}"
            f"  inferred {cell['inferred']}, inconsistent {cell['inconsistent']}, sha {cell['sha']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=Path("dist"), help="a built dist/ (default: dist/, else build)")
    parser.add_argument("--factor", type=int, default=100, help="the large graph has this many times the triples")
    parser.add_argument("--budget", type=float, default=1800.0, help="seconds before a cell is stopped")
    parser.add_argument("--engines", default=",".join(ENGINES), help="comma-separated engines (default: all)")
    parser.add_argument("--cell", nargs=2, metavar=("ENGINE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cell:
        print(json.dumps(run_cell(args.cell[0], Path(args.cell[1]))))
        return
    head = f"{'graph':<11} {'triples':>9}  {'engine':<6} {'seconds':>9} {'cpu s':>8} {'peak MB':>8}  result"
    print(head + "\n" + "-" * len(head), flush=True)
    with tempfile.TemporaryDirectory(prefix="ctoc-bench-") as tmp:
        work = Path(tmp)
        seed = build_seed(args.dist, work)
        for factor in (1, args.factor):
            folder = work / f"x{factor}"
            folder.mkdir()
            copies, triples = write_copies(seed, folder / "kg.nt", factor)
            name = "seed" if factor == 1 else f"{copies} copies"
            cells = {engine: child(engine, folder, args.budget) for engine in args.engines.split(",")}
            for engine, cell in cells.items():
                print(row(name, triples, engine, cell, args.budget), flush=True)
            if all(cells.values()) and len(cells) > 1:
                same = len({cell["sha"] for cell in cells.values()}) == 1
                print(f"{name}: closures {'equal' if same else 'DIFFER'}", flush=True)


if __name__ == "__main__":
    main()
