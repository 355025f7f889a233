"""Whole builds of a growing corpus: wall time, seconds per report, peak memory, triples and the time per stage,
for N reports derived from the seed at the text level, and the time to rebuild after one report changed.

Usage: .venv/bin/python bench/build.py [--max 100] [--sizes 1 10 100 1000] [--budget 3600]

Corpus: copy k of the seed report (data/reports/*.zh.txt with its metadata file) has every year in its text
moved k years on (so its first meeting date, and with it its IRI, is its own), and, for k > 0, one numbered
paragraph dropped (k odd) or written twice (k even) with the paragraphs after it renumbered: reports of the
same shape as the seed, of slightly different lengths, that all parse, link and validate. Each N is built in
a child process (peak memory = that child's maximum resident set size) through the same functions as
`ctoc-kg build`, timed per stage: read+extract+link+map (pipeline.build_graph), reason+validate
(check_build), publish (dumps, VoID, ontology docs, site). "rebuild" changes one sentence of one report of
the built corpus and builds again: the time an edit costs today.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg_build.read.parse import ITEM_RE, PARAGRAPH_RE

REPORTS = Path(__file__).resolve().parent.parent / "data" / "reports"
YEAR = re.compile(r"(?<!\d)(19|20)(\d{2})(?!\d)")


def derived_report(text: str, k: int) -> str:
    """Copy k of a report text: years moved k on, one paragraph dropped or doubled (k > 0), paragraphs renumbered."""
    text = YEAR.sub(lambda m: str(int(m.group(0)) + k), text)
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if PARAGRAPH_RE.match(line.strip())]
    plain = [(a, b) for a, b in zip(starts, starts[1:], strict=False)
             if all(_inside_paragraph(x) for x in lines[a + 1 : b])]
    if k and plain:
        start, end = plain[k % len(plain)]  # a paragraph with nothing but its items and text before the next one
        block = lines[start:end]
        lines[start:end] = block * 2 if k % 2 == 0 else []
    number = 0
    for i, line in enumerate(lines):
        match = PARAGRAPH_RE.match(line.strip())
        if match:
            number += 1
            lines[i] = line.replace(match["num"], str(number), 1)
    return "\n".join(lines)


def _inside_paragraph(line: str) -> bool:
    """A blank line, an item, or prose that ends a sentence: no heading stands between two paragraphs."""
    text = line.strip()
    return not text or bool(ITEM_RE.match(text)) or text[-1] in "。；：.;:"


def write_corpus(folder: Path, size: int) -> list[Path]:
    """`size` derived reports (text and metadata file) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for seed in sorted(REPORTS.glob("*.txt")):
        name = seed.name.split(".")[0]
        meta = seed.with_suffix(".yaml")
        for k in range(size):
            target = folder / f"{name}-c{k}.zh.txt"
            target.write_text(derived_report(seed.read_text(encoding="utf-8"), k), encoding="utf-8")
            if meta.is_file():
                (folder / f"{name}-c{k}.zh.yaml").write_text(
                    YEAR.sub(lambda m, k=k: str(int(m.group(0)) + k), meta.read_text(encoding="utf-8")),
                    encoding="utf-8")
            written.append(target)
            if len(written) == size:
                return written
    return written


def cell(corpus: Path, out: Path) -> dict[str, float]:
    """One build of `corpus` into `out`, timed per stage (run in a child process)."""
    from rdflib import URIRef

    from kg_build.pipeline import build_graph
    from kg_build.publish.output import staged_output, write_text
    from kg_build.publish.publication import publish_all
    from kg_build.serialize import canonical_ntriples
    from kg_build.validate.shapes import check_build

    times: dict[str, float] = {}
    started = time.perf_counter()
    result = build_graph([corpus])
    times["read..map"] = time.perf_counter() - started
    with staged_output(out) as staging:
        mark = time.perf_counter()
        write_text(staging, "kg.nt", canonical_ntriples(result.graph))
        times["write nt"] = time.perf_counter() - mark
        mark = time.perf_counter()
        check_build(result.graph, staging)
        times["reason+validate"] = time.perf_counter() - mark
        mark = time.perf_counter()
        list(publish_all(staging, [URIRef(str(r.iris.work)) for r in result.reports]))
        times["publish"] = time.perf_counter() - mark
    times["wall"] = time.perf_counter() - started
    times["triples"] = len(result.graph)
    times["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def run_cell(corpus: Path, out: Path, budget: float) -> dict[str, float] | None:
    """`cell` in a child process; None when it ran past `budget` seconds (stopped)."""
    command = [sys.executable, __file__, "--cell", str(corpus), str(out)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=budget, check=True)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as err:
        raise SystemExit(f"build of {corpus} failed: {err.stderr.strip().splitlines()[-1:]}") from None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000])
    parser.add_argument("--max", type=int, default=100, help="largest N to run (default 100; the goal is 1000)")
    parser.add_argument("--budget", type=float, default=3600, help="seconds one build may take before it is stopped")
    parser.add_argument("--cell", nargs=2, metavar=("CORPUS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cell:
        print(json.dumps(cell(Path(args.cell[0]), Path(args.cell[1]))))
        return
    stages = ("read..map", "write nt+ttl", "reason+validate", "publish")
    print("| N | wall s | s/report | peak MB | triples | " + " | ".join(stages) + " | rebuild after 1 edit s |")
    print("|---|---|---|---|---|" + "---|" * len(stages) + "---|")
    work = Path(tempfile.mkdtemp(prefix="ctoc-kg-bench-build-"))
    try:
        for size in [n for n in args.sizes if n <= args.max]:
            corpus = work / f"corpus-{size}"
            reports = write_corpus(corpus, size)
            first = run_cell(corpus, work / f"dist-{size}", args.budget)
            if first is None:
                print(f"| {size} | > {args.budget:.0f} (stopped) | | | |" + " |" * len(stages) + " |", flush=True)
                break
            edited = reports[-1]
            edited.write_text(edited.read_text(encoding="utf-8").replace("。", "。 ", 1), encoding="utf-8")
            again = run_cell(corpus, work / f"dist-{size}", args.budget)
            rebuild = f"{again['wall']:.1f}" if again else f"> {args.budget:.0f}"
            cells = " | ".join(f"{first[s]:.1f}" for s in stages)
            print(f"| {size} | {first['wall']:.1f} | {first['wall'] / size:.2f} | {first['peak MB']:.0f} | "
                  f"{first['triples']:.0f} | {cells} | {rebuild} |", flush=True)
            shutil.rmtree(corpus, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
