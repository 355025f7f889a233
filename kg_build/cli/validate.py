"""`ctoc-kg validate [FILE ...] [--dist DIR] [--format text|json|turtle]`: SHACL shapes and QC queries.

Exit 0: conforms (warnings allowed); 1: violations; 2: unusable input or shapes (could not validate)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg_build.errors import UsageError
from kg_build.graph_files import read_graph
from kg_build.reason.closure import INFERRED_FILE, ONTOLOGY_FILE, ReasonTimeout, load_ontology
from kg_build.validate.shapes import FORMATTERS, SHAPES_DIR, load_shapes, validate_graph


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("validate", help="validate a built graph (or RDF files) with SHACL shapes and QC queries",
                              description="Validate DIR/kg.nt (+ DIR/inferred.nt when present) or the given files "
                              "against ontology/shapes/ and ontology/qc/. Exit 0 conforms, 1 violations, 2 unusable.")
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help="RDF files (.nt, .ttl) instead of the build")
    p.add_argument("--dist", type=Path, default=Path("dist"), help="build folder (default: dist/)")
    p.add_argument("--format", choices=sorted(FORMATTERS), default="text", help="report format (default: text)")
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
        inferred = read_graph([inferred_path]) if inferred_path.exists() else None
        if inferred is not None:
            inputs.append(inferred_path)
    try:
        report = validate_graph(read_graph(inputs[:1] if inferred is not None else inputs),
                                load_ontology(args.ontology), inferred=inferred, shapes=load_shapes(args.shapes),
                                whole_build=whole,
                                inputs=[str(p) for p in inputs])
    except ReasonTimeout as err:
        raise UsageError(f"could not validate: {err}") from None
    print(FORMATTERS[args.format](report), end="")
    return 0 if report.conforms else 1
