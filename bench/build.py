"""Whole builds of a growing corpus through `ctoc-kg build`: wall time, seconds per report, peak memory, triples and
the time per stage, for N reports derived from the shipped texts, and the time to rebuild after one report changed.

Usage: .venv/bin/python bench/build.py [--max 100] [--sizes 1 10 100 1000] [--jobs 2] [--budget 3600]

Corpus: copy k of a seed text has every year in its text moved k years on (so its symbol or first meeting date, and
with it its IRI, is its own) and, for k > 0, one numbered paragraph dropped (k odd) or written twice (k even) with
the paragraphs after it renumbered (by the paragraph pattern of its language's format rules). Nine in ten copies are
of the shipped Chinese report (data/reports/, with its metadata file); one in ten is a Chinese and English pair of the
English-format test report (tests/fixtures/series/wg-tip-2015, one work with two expressions). Each N is built by
`ctoc-kg build` in a child process with a fresh cache (peak memory: the largest of the build process and its
workers), the stage times read from its progress lines. "rebuild" changes one sentence of one report of the built
corpus and builds again with the warm cache: the time an edit costs.
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

from kg_build.read.format_rules import format_rules, language_of

ROOT = Path(__file__).resolve().parent.parent
SEED = sorted((ROOT / "data" / "reports").glob("*.zh.txt"))[0]
PAIR = [ROOT / "tests" / "fixtures" / "series" / f"wg-tip-2015.{lang}.txt" for lang in ("zh", "en")]
YEAR = re.compile(r"(?<!\d)(19|20)(\d{2})(?!\d)")
STAGE_LINE = re.compile(r"^(?P<stage>[a-z ]+)(?: \(\w+\))?: (?:[\d,]+ \w+\(s\), )?(?P<seconds>[\d.]+) s")
STAGES = ("read", "build partitions", "merge", "validate", "publish", "publish dumps", "publish void", "publish site")


def derived_report(text: str, k: int, language: str = "zh") -> str:
    """Copy k of a report text: years moved k on, one paragraph dropped or doubled (k > 0), paragraphs renumbered."""
    rules = format_rules(language)
    text = YEAR.sub(lambda m: str(int(m.group(0)) + k), text)
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if rules.paragraph.match(line.strip())]
    plain = [(a, b) for a, b in zip(starts, starts[1:], strict=False)
             if all(_inside_paragraph(x, language) for x in lines[a + 1 : b])]
    if k and plain:
        start, end = plain[k % len(plain)]  # a paragraph with nothing but its items and text before the next one
        block = lines[start:end]
        lines[start:end] = block * 2 if k % 2 == 0 else []
    number = 0
    for i, line in enumerate(lines):
        match = rules.paragraph.match(line.strip())
        if match:
            number += 1
            lines[i] = line.replace(match["num"], str(number), 1)
    return "\n".join(lines)


def _inside_paragraph(line: str, language: str) -> bool:
    """A blank line, an item, or prose that ends a sentence: no heading stands between two paragraphs."""
    text = line.strip()
    return not text or bool(format_rules(language).item.match(text)) or text[-1] in "。；：.;:"


def write_corpus(folder: Path, size: int) -> list[Path]:
    """`size` derived report texts in `folder` (with metadata files where the seed has one): copies of the shipped
    report, and every tenth pair of copies a Chinese and English text of one English-format report."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    k = 0
    while len(written) < size:
        if k % 10 == 8 and len(written) + 2 <= size:
            for seed in PAIR:
                written.append(_derive(seed, folder, k))
            k += 2
            continue
        written.append(_derive(SEED, folder, k))
        k += 1
    return written


def _derive(seed: Path, folder: Path, k: int) -> Path:
    name, language = seed.name.split(".")[0], language_of(seed)
    target = folder / f"{name}-c{k}.{language}.txt"
    target.write_text(derived_report(seed.read_text(encoding="utf-8"), k, language), encoding="utf-8")
    meta = seed.with_suffix(".yaml")
    if meta.is_file():
        target.with_suffix(".yaml").write_text(YEAR.sub(lambda m: str(int(m.group(0)) + k),
                                                        meta.read_text(encoding="utf-8")), encoding="utf-8")
    return target


def cell(corpus: Path, out: Path, cache: Path, jobs: int) -> dict[str, float]:
    """One `ctoc-kg build` of `corpus` into `out` with `cache` (run in a child process): stage times from its
    progress lines, wall time, peak memory of the build and its workers, triples."""
    import contextlib
    import io

    from kg_build.cli import main

    err = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["build", str(corpus), "--out", str(out), "--cache", str(cache), "--jobs", str(jobs)])
    times: dict[str, float] = {"wall": time.perf_counter() - started}
    if code:
        raise SystemExit(f"build of {corpus} failed: {err.getvalue().strip().splitlines()[-1:]}")
    for line in err.getvalue().splitlines():
        if match := STAGE_LINE.match(line):
            times[match["stage"]] = float(match["seconds"])
    with (out / "kg.nt").open("rb") as handle:
        times["triples"] = sum(1 for _ in handle)
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    times["peak MB"] = peak / 1024
    return times


def run_cell(corpus: Path, out: Path, cache: Path, jobs: int, budget: float) -> dict[str, float] | None:
    """`cell` in a child process; None when it ran past `budget` seconds (stopped)."""
    command = [sys.executable, __file__, "--cell", str(corpus), str(out), str(cache), str(jobs)]
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
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--budget", type=float, default=3600, help="seconds one build may take before it is stopped")
    parser.add_argument("--cell", nargs=4, metavar=("CORPUS", "OUT", "CACHE", "JOBS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cell:
        corpus, out, cache, jobs = args.cell
        print(json.dumps(cell(Path(corpus), Path(out), Path(cache), int(jobs))))
        return
    print("| N | wall s | s/report | peak MB | triples | " + " | ".join(STAGES) + " | rebuild after 1 edit s |")
    print("|---|---|---|---|---|" + "---|" * len(STAGES) + "---|")
    work = Path(tempfile.mkdtemp(prefix="ctoc-kg-bench-build-"))
    try:
        for size in [n for n in args.sizes if n <= args.max]:
            corpus, cache, out = work / f"corpus-{size}", work / f"cache-{size}", work / f"dist-{size}"
            reports = write_corpus(corpus, size)
            first = run_cell(corpus, out, cache, args.jobs, args.budget)
            if first is None:
                print(f"| {size} | > {args.budget:.0f} (stopped) | | | |" + " |" * len(STAGES) + " |", flush=True)
                break
            edited = reports[len(reports) // 2]
            edited.write_text(edited.read_text(encoding="utf-8").replace("。", "。 ", 1), encoding="utf-8")
            again = run_cell(corpus, out, cache, args.jobs, args.budget)
            rebuild = f"{again['wall']:.1f}" if again else f"> {args.budget:.0f}"
            cells = " | ".join(f"{first.get(s, 0):.1f}" for s in STAGES)
            print(f"| {size} | {first['wall']:.1f} | {first['wall'] / size:.2f} | {first['peak MB']:.0f} | "
                  f"{first['triples']:.0f} | {cells} | {rebuild} |", flush=True)
            for folder in (corpus, cache, out):
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
