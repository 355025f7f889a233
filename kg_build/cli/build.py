"""`ctoc-kg build [SOURCE ...] [--out DIR]`: build the graph from report files into DIR."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from rdflib import URIRef

from kg_build.errors import UsageError
from kg_build.pipeline import BuildResult, build_graph
from kg_build.publish.output import check_replaceable, staged_output, write_text
from kg_build.publish.publication import publish_all
from kg_build.publish.stats import format_summary
from kg_build.publish.store import open_store
from kg_build.read.source import DEFAULT_MAX_BYTES, byte_limit
from kg_build.reference.registry import REPORTS_DIR
from kg_build.serialize import canonical_ntriples
from kg_build.validate.shapes import ValidationReport, check_build


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("build", help="build the knowledge graph from report texts",
                              description="Parse report texts (every report in data/ by default) and write the graph.")
    p.add_argument("sources", nargs="*", type=Path, metavar="SOURCE", help="report file or folder (default: data/)")
    p.add_argument("--out", type=Path, default=Path("dist"),
                   help="output folder (default: dist/); replaced only if a build made it, or empty")
    p.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                   help=f"refuse report files larger than N bytes (default: {DEFAULT_MAX_BYTES:,})")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.max_bytes < 1:
        raise UsageError(f"--max-bytes must be a positive number of bytes, not {args.max_bytes}")
    check_replaceable(args.out)  # before the work: a wrong --out is refused at once
    with byte_limit(args.max_bytes):
        result = build_graph(args.sources or [REPORTS_DIR])
    with staged_output(args.out) as staging:
        report = write_outputs(result, staging)
    for warning in [w for report in result.reports for w in report.doc.warnings] + result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.links.unused:
        print(f"registry entries no report uses ({len(result.links.unused)}): {', '.join(result.links.unused)}")
    print(f"built {len(result.reports)} report(s) into {args.out}/")
    print(f"validated: {'conforms' if report.conforms else 'violations'} — {len(report.violations)} violation(s), "
          f"{len(report.warnings)} warning(s) (shapes and QC; {args.out}/validation.txt)")
    print(format_summary(open_store(args.out), time.perf_counter() - started))
    return 0


def write_outputs(result: BuildResult, folder: Path) -> ValidationReport:
    """Write every build output into `folder` (a staging folder); return the build's validation report."""
    write_text(folder, "kg.nt", canonical_ntriples(result.graph))
    report = check_build(result.graph, folder)  # inferred.nt and validation.txt; exit 1 on violations
    works = [URIRef(str(r.iris.work)) for r in result.reports]
    for note in publish_all(folder, works):  # store, dumps, void.ttl, ontology docs, site (publish/publication.py)
        print(f"note: {note}")
    return report
