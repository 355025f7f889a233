"""`ctoc-kg build [SOURCE ...] [--out DIR]`: build the graph from report files into DIR."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rdflib import URIRef

from kg_build.corpus.check import check_build
from kg_build.corpus.run import CorpusBuild, build_corpus, default_jobs, open_cache
from kg_build.errors import UsageError
from kg_build.link.linker import unused_keys
from kg_build.paths import cache_dir
from kg_build.progress import Progress
from kg_build.publish.output import BUILD_MARKER, check_replaceable, staged_output
from kg_build.publish.publication import publish_all
from kg_build.publish.site.writer import SITE_MODES
from kg_build.publish.stats import format_summary
from kg_build.publish.store import open_store
from kg_build.read.source import DEFAULT_MAX_BYTES, byte_limit
from kg_build.reference.entities import Registries
from kg_build.reference.registry import REPORTS_DIR
from kg_build.validate.shapes import ValidationReport


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("build", help="build the knowledge graph from report texts",
                              description="Parse report texts (every report in data/ by default) and write the graph. "
                              "Each work (a document symbol, its texts in every language) is built in a worker "
                              "process into a partition kept in the build cache; unchanged works are not rebuilt.")
    p.add_argument("sources", nargs="*", type=Path, metavar="SOURCE", help="report file or folder (default: data/)")
    p.add_argument("--out", type=Path, default=Path("dist"),
                   help="output folder (default: dist/); replaced only if a build made it, or empty")
    p.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                   help=f"refuse report files larger than N bytes (default: {DEFAULT_MAX_BYTES:,})")
    p.add_argument("--jobs", "-j", type=int, default=default_jobs(), metavar="N",
                   help="worker processes building works in parallel (default: the machine's cores)")
    p.add_argument("--cache", type=Path, default=None, metavar="DIR",
                   help="build cache folder (default: $CTOC_KG_CACHE, else .cache/ctoc-kg)")
    p.add_argument("--no-cache", action="store_true", help="build every work afresh and keep nothing")
    p.add_argument("--site", choices=SITE_MODES, default="static",
                   help="static: write every page (unchanged ones linked from the previous build); served: write the "
                   "page list only, `ctoc-kg serve` renders pages from the store (default: static)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.max_bytes < 1:
        raise UsageError(f"--max-bytes must be a positive number of bytes, not {args.max_bytes}")
    if args.jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {args.jobs}")
    check_replaceable(args.out)  # before the work: a wrong --out is refused at once
    progress = Progress(quiet=args.quiet)
    cache = None if args.no_cache else (args.cache or cache_dir())
    with open_cache(cache) as partitions, staged_output(args.out) as staging:
        with byte_limit(args.max_bytes):
            corpus = build_corpus(args.sources or [REPORTS_DIR], staging, partitions, args.jobs, progress)
        report = write_outputs(corpus, staging, progress, args, previous_build(args.out))
    for warning in corpus.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    unused = unused_keys(Registries(), corpus.used)
    if unused:
        print(f"registry entries no report uses ({len(unused)}): {', '.join(unused)}")
    print(f"built {len(corpus.reports)} report(s) into {args.out}/")
    print(f"validated: {'conforms' if report.conforms else 'violations'} — {len(report.violations)} violation(s), "
          f"{len(report.warnings)} warning(s) (shapes and QC; {args.out}/validation.txt)")
    print(format_summary(open_store(args.out), time.perf_counter() - started))
    return 0


SITE_PROCESSES_FROM = 10  # works: below this, one process writes the site faster than several


def previous_build(out: Path) -> Path | None:
    """The build folder this build replaces, when it is one (its site pages can be reused)."""
    return out if (out / BUILD_MARKER).is_file() else None


def write_outputs(corpus: CorpusBuild, folder: Path, progress: Progress, args: argparse.Namespace,
                  previous: Path | None) -> ValidationReport:
    """Validate the merged build in `folder` (a staging folder) and publish it (store, dumps, void.ttl, ontology
    docs, site: publish/publication.py); return the validation report."""
    with progress.stage("validate"):
        report = check_build(corpus, folder)  # store/ and validation.txt; exit 1 on violations
    with progress.stage("publish"):
        processes = args.jobs if len(corpus.works) >= SITE_PROCESSES_FROM else 1  # a process costs ~1 s to start
        for note in publish_all(folder, [URIRef(w) for w in corpus.works], args.site, previous, processes,
                                progress):
            print(f"note: {note}")
    return report
