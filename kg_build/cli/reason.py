"""`ctoc-kg reason [--dist DIR] [--engine fast|owlrl]`: the OWL 2 RL closure of a built graph, written to
DIR/inferred.nt. The fast engine reads kg.nt bulk-loaded into a pyoxigraph store (reason/store.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg_build.errors import UsageError
from kg_build.graph_files import read_graph
from kg_build.reason.closure import (
    DEFAULT_TIMEOUT,
    ENGINES,
    ONTOLOGY_FILE,
    ReasonTimeout,
    compute_closure,
    compute_store_closure,
    format_inconsistencies,
    load_ontology,
    write_inferred,
)
from kg_build.validate.on_store import CheckStore


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("reason", help="compute the OWL 2 RL closure of a built graph (dist/inferred.nt)",
                              description="Reason over DIR/kg.nt and the ontology; write what the closure adds "
                              "to DIR/inferred.nt. Exit 1 when the closure is inconsistent.")
    p.add_argument("--dist", type=Path, default=Path("dist"), help="build folder (default: dist/)")
    p.add_argument("--ontology", type=Path, default=ONTOLOGY_FILE, help="ontology file (default: ontology/ctoc.ttl)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"give up after this many seconds (default: {DEFAULT_TIMEOUT:.0f})")
    p.add_argument("--engine", choices=ENGINES, default="fast",
                   help="fast: the engine for the axiom kinds the ontology uses (default); owlrl: the reference")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    asserted = args.dist / "kg.nt"
    if not asserted.exists():
        raise UsageError(f"{asserted} not found: run `ctoc-kg build` first")
    ontology = load_ontology(args.ontology)
    try:
        if args.engine == "fast":  # on a bulk-loaded store: no rdflib copy of a large graph
            checked = CheckStore.from_ntriples([asserted])
            closure = compute_store_closure(checked.store, ontology, timeout=args.timeout,
                                            ontology_path=args.ontology, literals=checked.literals)
        else:
            closure = compute_closure(read_graph([asserted]), ontology, timeout=args.timeout, engine=args.engine,
                                      ontology_path=args.ontology)
    except ReasonTimeout as err:
        raise UsageError(f"{err}: raise --timeout (now {args.timeout:g} s)") from None
    if closure.inconsistencies:
        print(format_inconsistencies(closure), file=sys.stderr)
        return 1
    path = write_inferred(args.dist, closure)
    print(f"{path}: {len(closure.inferred)} inferred triples from {closure.input_triples} "
          f"in {closure.seconds:.2f} s")
    return 0
