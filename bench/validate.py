"""Time and peak memory of reasoning and validation, the fast path beside the naive one, on the built
graph and on a graph made of N copies of its reports.

Usage: .venv/bin/python bench/validate.py [--dist DIR] [--factor 100] [--budget 1200] [--cells validate/store,...]
       .venv/bin/python bench/validate.py --corpus OUT CACHE

--corpus times the corpus pass of `ctoc-kg build` (kg_build/corpus/check.py) on a finished build: OUT and the
fresh CACHE of `ctoc-kg build CORPUS --out OUT --cache CACHE` (a corpus from bench/build.py's write_corpus): the
check context built and then read from the cache, the partitions' checks loaded, the shared nodes named, the
shapes and QC rules on them, the whole-build QC rules and the whole check_corpus (on a copy of OUT/store).

Paths compared:
  reason   store: kg.nt bulk-loaded into pyoxigraph, the fast engine's rules over the store (reason/store.py) --
                  what `ctoc-kg reason` does (loading is in the time)
           fast : kg_build.reason.closure.compute_closure with its default engine, fast.py, on rdflib -- what
                  `ctoc-kg build` does once (bench/reason.py compares it with owlrl's pruned, trimmed closure)
           naive: owlrl DeductiveClosure(OWLRL_Semantics).expand on data + ontology, in place
  validate store: `ctoc-kg validate kg.nt --whole-build`: bulk-load, reason, compiled shapes and QC queries on
                  the store (validate/on_store.py; loading and reasoning are in the time)
           fast : validate_graph on the rdflib graphs (asserted + inferred.nt): the compiled shapes and QC
                  queries on an in-memory store built from them
           naive: pyshacl alone with inference="owlrl" and the ontology (every SPARQL constraint run
                  per focus node), then the same QC queries
Each cell runs in a child process (peak memory = the child's maximum resident set size, so it includes
loading the graph; loading is not in the time). A cell that exceeds --budget seconds is stopped and
shown as "> budget". The large graph copies every report-scoped resource (report, units, facts,
meetings, source file) with a copy suffix in its slug ("wg-x" -> "wg-x-c7"), keeping the IRI scheme
valid, while registry entities (States, bodies, articles …) are shared, as in a real many-report build.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg_build.namespaces import ID

REPORT_SCOPED = re.compile(r"<" + re.escape(str(ID)) + r"(report|meeting)/([a-z0-9-]+)/")
SOURCE_FILE = re.compile(r"<" + re.escape(str(ID)) + r"source/(?!registry/)")
CELLS = [("reason", "store"), ("reason", "fast"), ("reason", "naive"), ("validate", "store"), ("validate", "fast"),
         ("validate", "naive")]


def copy_lines(lines: list[str], copy: int) -> list[str]:
    """One copy of the N-Triples lines: report-scoped IRIs get "-c{copy}" on their slug; copy 0 is as is."""
    if copy == 0:
        return lines
    out = []
    for line in lines:
        line = REPORT_SCOPED.sub(lambda m: f"<{ID}{m.group(1)}/{m.group(2)}-c{copy}/", line)
        out.append(SOURCE_FILE.sub(f"<{ID}source/c{copy}-", line))
    return out


def write_copies(source: Path, target: Path, factor: int) -> tuple[int, int]:
    """Write to `target` as many copies of `source` (N-Triples) as make `factor` times its triples (one copy
    when `factor` is 1); return the number of copies and of triples."""
    lines = sorted({line for line in source.read_text(encoding="utf-8").splitlines() if line.strip()})
    unique: set[str] = set(lines)
    copies = 1
    while len(unique) < factor * len(lines):
        unique.update(copy_lines(lines, copies))
        copies += 1
    target.write_text("".join(sorted(line + "\n" for line in unique)), encoding="utf-8")
    return copies, len(unique)


def run_cell(step: str, path: str, folder: Path) -> dict[str, object]:
    """Run one step in this (child) process; return seconds, peak RSS and a short result."""
    from kg_build.graph_files import read_graph
    from kg_build.reason.closure import compute_closure, load_ontology
    from kg_build.serialize import canonical_ntriples
    from kg_build.validate.qc import load_qc, run_qc
    from kg_build.validate.shapes import load_shapes, naive_shacl_findings, validate_graph

    if path == "store":
        return run_store_cell(step, folder)
    asserted, ontology = read_graph([folder / "kg.nt"]), load_ontology()
    result: dict[str, object] = {}
    if step == "reason" and path == "fast":
        started = time.perf_counter()
        closure = compute_closure(asserted, ontology, timeout=1e9)
        seconds = time.perf_counter() - started
        (folder / "inferred.nt").write_text(canonical_ntriples(closure.inferred), encoding="utf-8")
        result = {"inferred": len(closure.inferred), "inconsistent": len(closure.inconsistencies)}
    elif step == "reason":
        from owlrl import DeductiveClosure, OWLRL_Semantics

        graph = asserted + ontology
        before = len(graph)
        started = time.perf_counter()
        DeductiveClosure(OWLRL_Semantics).expand(graph)
        seconds = time.perf_counter() - started
        result = {"added": len(graph) - before}
    elif path == "fast":
        shapes, qc = load_shapes(), load_qc()
        inferred = read_graph([folder / "inferred.nt"])
        started = time.perf_counter()
        report = validate_graph(asserted, ontology, inferred=inferred, shapes=shapes, qc=qc, whole_build=True)
        seconds = time.perf_counter() - started
        result = {"conforms": report.conforms, "findings": len(report.findings)}
    else:
        shapes, qc = load_shapes(), load_qc()
        started = time.perf_counter()
        findings = naive_shacl_findings(asserted, ontology, shapes)
        findings += run_qc(qc, asserted, ontology, whole_build=True)
        seconds = time.perf_counter() - started
        result = {"conforms": not [f for f in findings if f.severity == "Violation"], "findings": len(findings)}
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak, **result}


def run_store_cell(step: str, folder: Path) -> dict[str, object]:
    """A store cell: what `ctoc-kg reason` or `ctoc-kg validate kg.nt --whole-build` does, loading included."""
    from kg_build.reason.closure import compute_store_closure, load_ontology
    from kg_build.validate.on_store import CheckStore
    from kg_build.validate.qc import load_qc
    from kg_build.validate.shapes import load_shapes, validate_store

    ontology, shapes, qc = load_ontology(), load_shapes(), load_qc()
    started = time.perf_counter()
    checked = CheckStore.from_ntriples([folder / "kg.nt"])
    if step == "reason":
        closure = compute_store_closure(checked.store, ontology, timeout=1e9, literals=checked.literals)
        result: dict[str, object] = {"inferred": len(closure.inferred), "inconsistent": len(closure.inconsistencies)}
    else:
        report = validate_store(checked, ontology, shapes=shapes, qc=qc, whole_build=True, inputs=[], reason=True,
                                timeout=1e9)
        result = {"conforms": report.conforms, "findings": len(report.findings)}
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **result}


def child(step: str, path: str, folder: Path, budget: float) -> dict[str, object]:
    """Run a cell in a child process, stopped after `budget` seconds."""
    command = [sys.executable, __file__, "--cell", step, path, str(folder)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=budget, check=True)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "peak_mb": None}
    except subprocess.CalledProcessError as err:
        raise SystemExit(f"{step}/{path} failed:\n{err.stderr}") from None
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_seed(dist: Path | None, work: Path) -> Path:
    """The built graph's kg.nt: from --dist when given, else a fresh `ctoc-kg build` into `work`."""
    if dist is not None and (dist / "kg.nt").is_file():
        return dist / "kg.nt"
    subprocess.run([sys.executable, "-m", "kg_build.cli", "build", "--out", str(work / "build")], check=True,
                   capture_output=True)
    return work / "build" / "kg.nt"


def table(rows: list[tuple[str, int, str, str, dict[str, object], float]]) -> str:
    head = f"{'graph':<11} {'triples':>9}  {'step':<9} {'path':<6} {'seconds':>9} {'peak MB':>8}  result"
    lines = [head, "-" * len(head)]
    for graph, triples, step, path, cell, budget in rows:
        seconds = cell.get("seconds")
        shown = f"{seconds:9.2f}" if isinstance(seconds, float) else f"> {budget:.0f}".rjust(9)
        peak = cell.get("peak_mb")
        memory = f"{peak:8.0f}" if isinstance(peak, float) else " " * 7 + "-"
        extra = ", ".join(f"{k} {v}" for k, v in cell.items() if k not in ("seconds", "peak_mb")) or "stopped"
        lines.append(f"{graph:<11} {triples:>9}  {step:<9} {path:<6} {shown} {memory}  {extra}")
    return "\n".join(lines)


def corpus_pass(out: Path, cache: Path) -> str:
    """The corpus pass's pieces on a finished build `out` with its cache `cache`, as a table."""
    import shutil

    import pyoxigraph as ox

    from kg_build.corpus.worker import ASSERTED, WorkResult, load_check
    from kg_build.validate.context_cache import PREFIX, cached_context
    from kg_build.validate.on_store import CheckStore, literal_table_of_file
    from kg_build.validate.partition import check_corpus, shared_nodes
    from kg_build.validate.shapes import VALIDATION_FILE, format_text

    folders = [p for p in (cache / "partitions").iterdir() if (p / "result.json").is_file()]
    [reference] = [p for p in folders if WorkResult.load(p).work == ""]
    folders.remove(reference)
    rows: list[tuple[str, float, str]] = []
    clock = time.perf_counter()

    def lap(name: str, note: str = "") -> None:
        nonlocal clock
        rows.append((name, time.perf_counter() - clock, note))
        clock = time.perf_counter()

    for old in reference.glob(f"{PREFIX}*"):
        old.unlink()
    text = (reference / ASSERTED).read_text(encoding="utf-8")
    lap("read reference")
    cached_context(reference, text)
    lap("context, built")
    context = cached_context(reference, text)
    lap("context, cached")
    checks = [load_check(p) for p in folders]
    reference_check = load_check(reference)
    lap("load checks", f"{len(checks)} partitions")
    with tempfile.TemporaryDirectory(prefix="ctoc-bench-") as tmp:
        shutil.copytree(out / "store", Path(tmp) / "store")
        clock = time.perf_counter()
        store = ox.Store(str(Path(tmp) / "store"))
        table = literal_table_of_file(out / "kg.nt")
        lap("literal table", f"{len(table)} altered literals")
        shared = shared_nodes(context, checks, reference_check, store)
        lap("shared nodes", f"{len(shared)} nodes")
        checked = CheckStore(store, table, 0)
        found = checked.shacl(context.compiled, shared, limited=True)
        lap("shapes on shared", f"{len(found)} findings")
        for scope in ("any", "whole-build"):
            queries = [q for q in context.qc if (q.scope == "whole-build") == (scope == "whole-build")]
            found = checked.qc(queries, context.ontology, whole_build=True, focus=shared)
            lap(f"QC {'whole-build' if scope != 'any' else 'on shared'}", f"{len(found)} rows")
        checked.drop_ontology()
        triples = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        clock = time.perf_counter()
        report = check_corpus(context, store, checks, reference_check, asserted_file=out / "kg.nt", triples=triples)
        same = (out / VALIDATION_FILE).read_text(encoding="utf-8") == format_text(report)
        lap("check_corpus", f"{triples} triples, {len(report.findings)} findings, same validation.txt: {same}")
        del store
    head = f"{'corpus pass':<20} {'seconds':>8}  note"
    return "\n".join([head, "-" * len(head)] + [f"{n:<20} {s:8.2f}  {note}" for n, s, note in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=Path("dist"), help="a built dist/ (default: dist/, else build)")
    parser.add_argument("--factor", type=int, default=100, help="the large graph has this many times the triples")
    parser.add_argument("--budget", type=float, default=1200.0, help="seconds before a cell is stopped")
    parser.add_argument("--cells", default=",".join(f"{step}/{path}" for step, path in CELLS),
                        help="comma-separated STEP/PATH cells to run (default: all)")
    parser.add_argument("--corpus", nargs=2, type=Path, metavar=("OUT", "CACHE"),
                        help="time the corpus pass on a finished build and its cache")
    parser.add_argument("--cell", nargs=3, metavar=("STEP", "PATH", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.corpus:
        print(corpus_pass(*args.corpus))
        return
    if args.cell:
        step, path, folder = args.cell
        print(json.dumps(run_cell(step, path, Path(folder))))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="ctoc-bench-") as tmp:
        work = Path(tmp)
        seed = build_seed(args.dist, work)
        for factor in (1, args.factor):
            folder = work / f"x{factor}"
            folder.mkdir()
            copies, triples = write_copies(seed, folder / "kg.nt", factor)
            name = "seed" if factor == 1 else f"{copies} copies"
            for step, path in [tuple(c.split("/")) for c in args.cells.split(",")]:
                cell = child(step, path, folder, args.budget)
                rows.append((name, triples, step, path, cell, args.budget))
                print(table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(table(rows))


if __name__ == "__main__":
    main()
