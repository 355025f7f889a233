"""`ctoc-kg validate [FILE ...] [--dist DIR] [--format text|json|turtle] [--input-format F]`: SHACL shapes and
QC queries, on a build or on RDF files in any format the build writes.

Exit 0: conforms (warnings allowed); 1: violations; 2: unusable input or shapes (could not validate).
Each stage (every file read, the ontology and shapes, the validation) says on stderr how long it took."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kg_build.errors import UsageError
from kg_build.graph_files import FORMAT_NAMES, read_graph
from kg_build.reason.closure import INFERRED_FILE, ONTOLOGY_FILE, ReasonTimeout, load_ontology
from kg_build.validate.shapes import FORMATTERS, SHAPES_DIR, load_shapes, validate_graph


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
        inputs, whole, inferred = list(args.files), args.whole_build, None
    else:
        asserted = args.dist / "kg.nt"
        if not asserted.exists():
            raise UsageError(f"{asserted} not found: run `ctoc-kg build` first, or name the files to validate")
        inputs, whole = [asserted], True
        inferred_path = args.dist / INFERRED_FILE
        inferred = read_graph([inferred_path], progress=_progress) if inferred_path.exists() else None
        if inferred is not None:
            inputs.append(inferred_path)
    graph = read_graph(inputs[:1] if inferred is not None else inputs, fmt=args.input_format, progress=_progress)
    started = time.monotonic()
    ontology, shapes = load_ontology(args.ontology), load_shapes(args.shapes)
    _progress(f"read the ontology and the shapes in {time.monotonic() - started:.1f} s")
    started = time.monotonic()
    try:
        report = validate_graph(graph, ontology, inferred=inferred, shapes=shapes, whole_build=whole,
                                inputs=[str(p) for p in inputs])
    except ReasonTimeout as err:
        raise UsageError(f"could not validate: {err}") from None
    _progress(f"checked {len(graph)} triples with the shapes and QC queries in {time.monotonic() - started:.1f} s")
    print(FORMATTERS[args.format](report), end="")
    return 0 if report.conforms else 1


def _progress(line: str) -> None:
    """One line per stage on stderr, so a long validation of a large input shows where it is."""
    print(f"validate: {line}", file=sys.stderr, flush=True)
