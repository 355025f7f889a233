"""`ctoc-kg stats [--dist DIR]`: the build summary, for a graph built earlier (read from the build's store
when it has one, else from kg.nt)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg_build.errors import UsageError
from kg_build.publish.stats import format_summary, summary_store


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("stats", help="summarise a built graph (units per kind, triples)")
    p.add_argument("--dist", type=Path, default=Path("dist"), help="build folder (default: dist/)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = args.dist / "kg.nt"
    if not path.exists():
        raise UsageError(f"{path} not found: run `ctoc-kg build` first")
    print(f"{path}:")
    print(format_summary(summary_store(args.dist)))
    return 0
