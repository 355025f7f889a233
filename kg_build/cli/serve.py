"""`ctoc-kg serve [--dist DIR] [--port N] [--timeout S] [limits]`: a read-only SPARQL endpoint on 127.0.0.1
over the built graph (Oxigraph behind a checking front), until Ctrl-C."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kg_build.errors import UsageError
from kg_build.sparql.limits import Limits
from kg_build.sparql.query import build_data
from kg_build.sparql.serve import SparqlFront, serve
from kg_build.sparql.siteroute import build_site_handler

DEFAULTS = Limits()


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="serve the built graph as a read-only SPARQL endpoint on 127.0.0.1")
    p.add_argument("--dist", type=Path, default=Path("dist"), help="build folder (default: dist/)")
    p.add_argument("--port", type=int, default=7878, help="port on 127.0.0.1 (default 7878; 0 picks a free one)")
    p.add_argument("--timeout", type=float, default=30.0, help="query time limit in seconds (default 30)")
    limits = p.add_argument_group("limits (SECURITY.md)")
    limits.add_argument("--max-concurrent", type=int, default=DEFAULTS.max_concurrent,
                        help=f"queries run at once; more wait (default {DEFAULTS.max_concurrent})")
    limits.add_argument("--queue-timeout", type=float, default=DEFAULTS.queue_timeout,
                        help=f"seconds a query waits for a slot before 503 + Retry-After "
                             f"(default {DEFAULTS.queue_timeout:g})")
    limits.add_argument("--max-body", type=int, default=DEFAULTS.max_body,
                        help=f"bytes of a request body; 413 beyond (default {DEFAULTS.max_body})")
    limits.add_argument("--max-connections", type=int, default=DEFAULTS.max_connections,
                        help=f"open connections; 503 beyond (default {DEFAULTS.max_connections})")
    limits.add_argument("--header-timeout", type=float, default=DEFAULTS.header_timeout,
                        help=f"seconds to send request headers before being disconnected "
                             f"(default {DEFAULTS.header_timeout:g})")
    limits.add_argument("--body-timeout", type=float, default=DEFAULTS.body_timeout,
                        help=f"seconds to send a request body; 408 beyond (default {DEFAULTS.body_timeout:g})")
    limits.add_argument("--keep-alive", type=int, default=DEFAULTS.keep_alive,
                        help=f"seconds an idle connection stays open (default {DEFAULTS.keep_alive})")
    p.set_defaults(func=run)


def limits_of(args: argparse.Namespace) -> Limits:
    """The limits the options ask for; a zero or negative one is a usage error."""
    values = {name: getattr(args, name) for name in ("max_concurrent", "queue_timeout", "max_body", "max_connections",
                                                      "header_timeout", "body_timeout", "keep_alive")}
    for name, value in values.items():
        if value <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be positive, not {value:g}")
    if args.timeout <= 0:
        raise UsageError(f"--timeout must be positive, not {args.timeout:g}")
    return Limits(**values)


def _ready(front: SparqlFront) -> None:
    """Tell the user (and scripts reading stdout) where the endpoint is."""
    print(f"SPARQL endpoint: {front.base_url}/sparql", flush=True)
    pid = front.child.process.pid if front.child.process else "?"
    print(f"(read-only, query time limit {front.child.timeout:g} s, Oxigraph pid {pid}; Ctrl-C stops)", flush=True)
    if front.site_handler is not None:
        print(f"linked-data site: {front.base_url}/ (HTML or RDF by the Accept header)", flush=True)


def run(args: argparse.Namespace) -> int:
    limits = limits_of(args)
    files = build_data(args.dist)
    try:
        serve(files, args.port, args.timeout, _ready, build_site_handler(args.dist), limits)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0
