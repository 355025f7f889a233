"""The static site from a build's store: seconds, pages per second, CPU per page file, peak memory, for a full render
and for a rebuild against the first render (every page unchanged, so hard-linked), in 1 and 2 processes.

Usage: .venv/bin/python bench/sitepages.py DIST [--processes 1 2]

DIST is a build folder (``kg.nt``, ``inferred.nt``; its ``store/`` is used, or written into a temporary folder when
the build has none). Each run is a child process: its peak memory is that child's maximum resident set size.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(dist: Path, out: Path, previous: str, processes: int) -> dict[str, float]:
    """One write_site of the build's store into `out` (in this process): times and counts."""
    from kg_build.publish.ontodoc import load_ontology
    from kg_build.publish.site.writer import write_site
    from kg_build.publish.store import STORE_DIR
    from kg_build.publish.void import load_dataset_info

    ontology, info = load_ontology(), load_dataset_info()
    started, cpu = time.perf_counter(), time.process_time()
    summary = write_site(dist / STORE_DIR, out, ontology, info, Path(previous) if previous else None,
                         processes=processes)
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu + children.ru_utime + children.ru_stime
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, children.ru_maxrss) / 1024
    return {"pages": summary.pages, "files": summary.files, "linked": summary.linked, "seconds": seconds,
            "cpu": cpu, "peak_mb": peak}


def child(dist: Path, out: Path, previous: Path | None, processes: int) -> dict[str, float]:
    code = ("import json, sys; from pathlib import Path; sys.path.insert(0, 'bench'); from sitepages import run; "
            f"print(json.dumps(run(Path({str(dist)!r}), Path({str(out)!r}), {str(previous or '')!r}, {processes})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dist", type=Path)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    from kg_build.publish.store import STORE_DIR, write_store

    with tempfile.TemporaryDirectory(prefix="ctoc-kg-bench-site-") as work:
        dist = args.dist.resolve()
        if not (dist / STORE_DIR).is_dir():
            dist = Path(work) / "dist"
            dist.mkdir()
            for name in ("kg.nt", "inferred.nt"):
                if (args.dist / name).is_file():
                    (dist / name).symlink_to((args.dist / name).resolve())
            write_store(dist)
        print(f"{'run':<22}{'proc':>5}{'pages':>8}{'files':>8}{'linked':>8}{'s':>8}{'pages/s':>9}"
              f"{'ms cpu/file':>12}{'peak MB':>9}")
        for processes in args.processes:
            first = Path(work) / f"full-{processes}"
            for name, out, previous in (("full render", first, None),
                                        ("rebuild, no change", Path(work) / f"again-{processes}", first)):
                row = child(dist, out, previous, processes)
                print(f"{name:<22}{processes:>5}{row['pages']:>8}{row['files']:>8}{row['linked']:>8}"
                      f"{row['seconds']:>8.2f}{row['pages'] / row['seconds']:>9.0f}"
                      f"{1000 * row['cpu'] / row['files']:>12.3f}{row['peak_mb']:>9.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
