"""`ctoc-kg serve [--dist DIR] [--port N] [--timeout S]`: a read-only SPARQL endpoint on 127.0.0.1 over the
built graph (Oxigraph behind a checking front), until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg_build.sparql.query import data_files
from kg_build.sparql.serve import SparqlFront, serve
from kg_build.sparql.siteroute import find_site, site_handler


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="serve the built graph as a read-only SPARQL endpoint on 127.0.0.1")
    p.add_argument("--dist", type=Path, default=Path("dist"), help="build folder (default: dist/)")
    p.add_argument("--port", type=int, default=7878, help="port on 127.0.0.1 (default 7878; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=30.0, help="query time limit in seconds (default 30)")
    p.set_defaults(func=run)


def _ready(front: SparqlFront) -> None:
    """Tell the user (and scripts reading stdout) where the endpoint is."""
    print(f"SPARQL endpoint: {front.base_url}/sparql", flush=True)
    pid = front.child.process.pid if front.child.process else "?"
    print(f"(read-only, query time limit {front.child.timeout:g} s, Oxigraph pid {pid}; Ctrl-C stops)", flush=True)
    if front.site_handler is not None:
        print(f"linked-data site: {front.base_url}/ (HTML or RDF by the Accept header)", flush=True)


def run(args: argparse.Namespace) -> int:
    files = data_files(args.dist)
    try:
        site = find_site(args.dist)
        serve(files, args.port, args.timeout, _ready, site_handler(site) if site else None)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0
