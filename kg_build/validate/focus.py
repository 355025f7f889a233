"""Queries limited to some nodes: a VALUES block that opens a query's outer WHERE group is joined with the rest
of the group, so the query keeps exactly its rows whose variable is one of those nodes, and the engine starts
from them instead of from every triple (what lets the corpus pass judge a few shared nodes on a large store)."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

WHERE_GROUP = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def iri_terms(iris: Iterable[str]) -> list[str]:
    """The valid IRIs among `iris` as SPARQL terms, sorted (an IRI RDF forbids is in no store: left out)."""
    terms = []
    for iri in sorted(iris):
        try:
            terms.append(str(ox.NamedNode(iri)))
        except ValueError:
            continue
    return terms


def with_values(query: str, variable: str, iris: Iterable[str]) -> str | None:
    """`query` with ``VALUES ?variable { ... }`` opening its outer WHERE group (full-line comments dropped), or
    None when it has no WHERE group."""
    body = "\n".join(line for line in query.splitlines() if not line.lstrip().startswith("#"))
    where = WHERE_GROUP.search(body)
    if where is None:
        return None
    values = f"\n  VALUES ?{variable} {{ {' '.join(iri_terms(iris))} }}\n"
    return body[: where.end()] + values + body[where.end():]
