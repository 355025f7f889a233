"""`ctoc-kg push --endpoint URL [--graph IRI]`: replace a named graph of a SPARQL 1.1 store with the build,
atomically (staging graph, count check, one swap request, count read back)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kg_build.progress import Progress
from kg_build.sparql.client import Endpoint
from kg_build.sparql.push import Store, push

DEFAULT_GRAPH = "https://w3id.org/ctoc-kg/graph"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("push", help="load the build into a SPARQL 1.1 store, replacing one graph atomically")
    p.add_argument("--endpoint", required=True, metavar="URL", help="SPARQL update endpoint (e.g. .../sparql-auth)")
    p.add_argument("--query-endpoint", metavar="URL", help="SPARQL query endpoint when it differs (Oxigraph: /query)")
    p.add_argument("--store-protocol", metavar="URL", help="Graph Store Protocol URL to upload the staging graph with")
    p.add_argument("--graph", default=DEFAULT_GRAPH, metavar="IRI", help=f"graph to replace (default {DEFAULT_GRAPH})")
    p.add_argument("--user", help="user name (digest or basic auth, as the server asks)")
    p.add_argument("--password", help="password")
    p.add_argument("--dist", type=Path, default=Path("dist"), help="build folder (default: dist/)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    p.add_argument("--retries", type=int, default=3, help="retries of idempotent requests (default 3)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    def endpoint(url: str) -> Endpoint:
        return Endpoint(url, timeout=args.timeout, retries=args.retries, user=args.user, password=args.password)

    store = Store(endpoint(args.endpoint), endpoint(args.query_endpoint or args.endpoint), args.store_protocol)
    result = push(args.dist, store, args.graph, stages=Progress(quiet=args.quiet))
    print(f"<{result.graph}> now holds {result.triples} triples, <{result.metadata_graph}> {result.metadata_triples}"
          f" ({result.chunks} chunks staged, one swap request)")
    return 0
