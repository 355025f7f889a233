"""`ctoc-kg query NAME|FILE`: run a library query (queries/NAME.rq) or any .rq file on the built graph or an
endpoint; `ctoc-kg query --list` lists the library with its questions in English and Chinese."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rdflib import Literal

from kg_build.errors import UsageError
from kg_build.sparql.client import Endpoint
from kg_build.sparql.query import ENGINES, RemoteEngine, default_queries_dir, library, make_engine, resolve, run_query
from kg_build.sparql.results import FORMATS, Result, render, to_table
from kg_build.sparql.terms import parse_binding


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("query", help="run a SPARQL query of the library (or a .rq file) on the graph")
    p.add_argument("query", nargs="?", metavar="NAME|FILE", help="a library query name (queries/NAME.rq) or a file")
    p.add_argument("--list", action="store_true", help="list the library's queries and their questions")
    p.add_argument("--dist", type=Path, default=Path("dist"), help="build folder (default: dist/)")
    p.add_argument("--queries", type=Path, default=None, help="query library folder (default: queries/)")
    p.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    p.add_argument("--bind", action="append", default=[], metavar="NAME=VALUE",
                   help='bind a variable to an RDF term: <iri>, "text"@zh, "text", 12 (xsd:integer), or a word')
    p.add_argument("--engine", choices=ENGINES, default="oxigraph", help="embedded engine (default: oxigraph)")
    p.add_argument("--endpoint", metavar="URL", help="run on a remote SPARQL 1.1 endpoint instead")
    p.add_argument("--graph", action="append", default=[], metavar="IRI",
                   help="with --endpoint: a named graph to use as the default graph (default-graph-uri)")
    p.add_argument("--timeout", type=float, default=60.0, help="with --endpoint: seconds per request (default 60)")
    p.add_argument("--retries", type=int, default=3, help="with --endpoint: retries on transient errors (default 3)")
    p.add_argument("--user", help="with --endpoint: user name (digest or basic auth)")
    p.add_argument("--password", help="with --endpoint: password")
    p.add_argument("--allow-service", action="store_true", help="let SERVICE calls through to the engine")
    p.set_defaults(func=run)


def _list(queries_dir: Path) -> int:
    """Print the library as a table: name, parameters, question in English and Chinese."""
    infos = library(queries_dir)
    if not infos:
        raise UsageError(f"no queries in {queries_dir}")
    rows = [
        {"name": Literal(i.name), "params": Literal(" ".join(f"?{p}" for p in i.params)),
         "question": Literal(i.en or i.title), "问题": Literal(i.zh)}
        for i in infos
    ]
    result = Result(form="SELECT", variables=["name", "params", "question", "问题"], rows=rows)
    sys.stdout.write(to_table(result, cell_width=70))
    return 0


def run(args: argparse.Namespace) -> int:
    queries_dir = args.queries or default_queries_dir()
    if args.list:
        return _list(queries_dir)
    if not args.query:
        raise UsageError("give a query NAME or FILE, or --list")
    path = resolve(args.query, queries_dir)
    bindings = dict(parse_binding(item) for item in args.bind)
    if args.endpoint:
        endpoint = Endpoint(args.endpoint, timeout=args.timeout, retries=args.retries, user=args.user,
                            password=args.password, default_graphs=list(args.graph))
        engine = RemoteEngine(endpoint, allow_service=args.allow_service)
    else:
        engine = make_engine(args.engine, args.dist)
    result = run_query(engine, path.read_text(encoding="utf-8"), bindings, allow_service=args.allow_service)
    sys.stdout.write(render(result, args.format))
    return 0

