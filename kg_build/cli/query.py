"""`ctoc-kg query NAME|FILE`: run a library query (queries/NAME.rq) or any .rq file on the built graph or an
endpoint; `ctoc-kg query --list` lists the library with its questions in English and Chinese."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from kg_build.errors import UsageError
from kg_build.sparql.bounded import Limits, run_bounded
from kg_build.sparql.query import (
    ENGINES,
    RemoteEngine,
    build_data,
    default_queries_dir,
    library,
    prepare,
    resolve,
    run_query,
)
from kg_build.sparql.results import FORMATS, TABLE_ROWS, Result, to_table, write
from kg_build.sparql.terms import checked_iri, parse_binding

DEFAULT_MEMORY_MB = 4096


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
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds the query may run (embedded: then it is stopped; --endpoint: per request; default 60)")
    p.add_argument("--max-memory", type=int, default=DEFAULT_MEMORY_MB, metavar="MB",
                   help=f"embedded: memory the query may use beyond the loaded graph (default {DEFAULT_MEMORY_MB})")
    p.add_argument("--limit", type=int, default=None, metavar="N",
                   help=f"print at most N rows (the table format shows {TABLE_ROWS} unless told)")
    p.add_argument("--retries", type=int, default=3, help="with --endpoint: retries on transient errors (default 3)")
    p.add_argument("--user", help="with --endpoint: user name (digest or basic auth)")
    p.add_argument("--password", help="with --endpoint: password")
    p.add_argument("--allow-service", action="store_true", help="let SERVICE calls through to the engine")
    p.set_defaults(func=run)


def _list(queries_dir: Path) -> int:
    """Print the library as a table: name, parameters, question in English and Chinese."""
    from rdflib import Literal

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
    _check_numbers(args)
    bindings = dict(parse_binding(item) for item in args.bind)
    text = path.read_text(encoding="utf-8")
    if args.endpoint:
        from kg_build.sparql.client import Endpoint  # SPARQLWrapper and urllib: only for a remote endpoint

        endpoint = Endpoint(args.endpoint, timeout=args.timeout, retries=args.retries, user=args.user,
                            password=args.password, default_graphs=[str(checked_iri(g)) for g in args.graph])
        result = run_query(RemoteEngine(endpoint, allow_service=args.allow_service), text, bindings,
                           allow_service=args.allow_service)
        write(result, args.format, sys.stdout, args.limit)
        return 0
    data = build_data(args.dist)
    checked = prepare(text, bindings, allow_service=args.allow_service)
    limits = Limits(seconds=args.timeout, memory_mb=args.max_memory or None, rows=args.limit)
    try:
        run_bounded(args.engine, data, checked, bindings, args.format, sys.stdout, limits)
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error; keep the exit flush quiet
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _check_numbers(args: argparse.Namespace) -> None:
    """Refuse limits that mean nothing: a time limit must be positive, row and memory limits not negative."""
    if not args.timeout > 0:
        raise UsageError(f"--timeout {args.timeout:g}: give a positive number of seconds")
    if args.limit is not None and args.limit < 0:
        raise UsageError(f"--limit {args.limit}: give zero or more rows")
    if args.max_memory < 0:
        raise UsageError(f"--max-memory {args.max_memory}: give zero (no limit) or more megabytes")

