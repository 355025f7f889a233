"""`ctoc-kg validate [FILE ...] [--dist DIR] [--format text|json|turtle] [--input-format F]`: SHACL shapes and
QC queries, on a build or on RDF files in any format the build writes.

Exit 0: conforms (warnings allowed); 1: violations; 2: unusable input or shapes (could not validate).
Each stage (every file read, the ontology and shapes, reasoning, shapes, QC) says on stderr how long it took.
N-Triples (a build's kg.nt and inferred.nt, or FILEs) are bulk-loaded into a pyoxigraph store and validated
there (validate/on_store.py); other formats are parsed with rdflib first."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kg_build.errors import InputError, UsageError
from kg_build.graph_files import FORMAT_NAMES, rdf_format, read_graph
from kg_build.reason.closure import INFERRED_FILE, ONTOLOGY_FILE, ReasonTimeout, load_ontology
from kg_build.validate.on_store import CheckStore
from kg_build.validate.qc import load_qc
from kg_build.validate.shapes import (
    FORMATTERS,
    SHAPES_DIR,
    load_shapes,
    validate_graph,
    validate_store,
)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("validate", help="validate a built graph (or RDF files) with SHACL shapes and QC queries",
                              description="Validate DIR/kg.nt (+ DIR/inferred.nt when present) or the given files "
                              "against ontology/shapes/ and ontology/qc/. Exit 0 conforms, 1 violations, 2 unusable.")
    p.add_argument("files", nargs="*", type=Path, metavar="FILE",
                   help="RDF files instead of the build (.nt .ttl .n3 .trig .nq .rdf .owl .xml .jsonld .json)")
    p.add_argument("--dist", type=Path, default=Path("dist"), help="build folder (default: dist/)")
    p.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="report format (default: text)")
    p.add_argument("--input-format", choices=FORMAT_NAMES, default=None,
                   help="format of every FILE (default: by suffix; Turtle when the suffix is unknown)")
    p.add_argument("--ontology", type=Path, default=ONTOLOGY_FILE, help="ontology file (default: ontology/ctoc.ttl)")
    p.add_argument("--shapes", type=Path, default=SHAPES_DIR, help="folder of SHACL shapes (default: ontology/shapes/)")
    p.add_argument("--whole-build", action="store_true",
                   help="the FILEs are a complete build: also run QC rules about unused terms")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.files:
        asserted, inferred, whole = list(args.files), None, args.whole_build
    else:
        kg = args.dist / "kg.nt"
        if not kg.exists():
            raise UsageError(f"{kg} not found: run `ctoc-kg build` first, or name the files to validate")
        asserted, whole = [kg], True
        inferred = args.dist / INFERRED_FILE if (args.dist / INFERRED_FILE).exists() else None
    inputs = [str(p) for p in asserted + ([inferred] if inferred else [])]
    checked = _bulk_loaded(args, asserted, inferred)
    if checked is None:
        graph = read_graph(asserted, fmt=args.input_format, progress=_progress)
        closure = read_graph([inferred], progress=_progress) if inferred is not None else None
    started = time.monotonic()
    ontology, shapes, qc = load_ontology(args.ontology), load_shapes(args.shapes), load_qc()
    _progress(f"read the ontology and the shapes in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    try:
        if checked is not None:
            report = validate_store(checked, ontology, shapes=shapes, qc=qc, whole_build=whole, inputs=inputs,
                                    reason=inferred is None, ontology_path=args.ontology, progress=_progress)
        else:
            report = validate_graph(graph, ontology, inferred=closure, shapes=shapes, qc=qc, whole_build=whole,
                                    inputs=inputs)
    except ReasonTimeout as err:
        raise UsageError(f"could not validate: {err}") from None
    _progress(f"checked {report.triples} triples with the shapes and QC queries in {time.monotonic() - started:.1f} s")
    print(FORMATTERS[args.format](report), end="")
    return 0 if report.conforms else 1


def _bulk_loaded(args: argparse.Namespace, asserted: list[Path], inferred: Path | None) -> CheckStore | None:
    """A store bulk-loaded with the inputs when every one is N-Triples that pyoxigraph reads; else None (rdflib
    reads them, which also reports IRIs that RDF forbids instead of refusing the file)."""
    if not all(rdf_format(p, args.input_format) == "nt" for p in asserted):
        return None
    try:
        return CheckStore.from_ntriples(asserted, inferred, progress=_progress)
    except InputError:
        return None


def _progress(line: str) -> None:
    """One line per stage on stderr, so a long validation of a large input shows where it is."""
    print(f"validate: {line}", file=sys.stderr, flush=True)
