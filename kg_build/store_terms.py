"""pyoxigraph terms read back as rdflib's, and the literals a pyoxigraph store would alter.

A pyoxigraph store keeps XSD numbers, dates and booleans in a canonical form and every integer-derived datatype
as xsd:integer ("5"^^xsd:nonNegativeInteger comes back as "5"^^xsd:integer), and it does not tell an explicit
xsd:string from a simple literal. Checks that look at datatypes or lexical forms (SHACL, the reasoner's
datatype rules) read such literals from a LiteralTable built from the input instead.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

XSD_STRING = str(XSD.string)
# Lexical forms pyoxigraph stores as they are; other XSD literals are altered (or may be).
CANONICAL = {XSD.integer: re.compile(r"-?(0|[1-9][0-9]*)"), XSD.boolean: re.compile(r"true|false"),
             XSD.date: re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")}
KEPT_AS_IS = frozenset({XSD.anyURI, XSD.normalizedString, XSD.token, XSD.language, XSD.hexBinary, XSD.base64Binary})
LiteralKey = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.Literal]
LiteralTable = dict[LiteralKey, list[Literal]]


@lru_cache(maxsize=1 << 19)
def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """A pyoxigraph term as rdflib reads it from N-Triples (xsd:string literals plain); cached, as a large graph
    names the same nodes many times."""
    if isinstance(term, ox.NamedNode):
        return str.__new__(URIRef, term.value)  # the store holds valid IRIs: skip rdflib's check
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == XSD_STRING else Literal(term.value, datatype=URIRef(datatype))
    return BNode(term.value)


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as pyoxigraph's."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    return ox.BlankNode(str(term))


def altered_by_store(lit: Literal) -> bool:
    """Whether a pyoxigraph store would give `lit` back with another lexical form or datatype."""
    dt = lit.datatype
    if dt is None or dt in KEPT_AS_IS or not str(dt).startswith(str(XSD)):
        return False
    pattern = CANONICAL.get(dt)
    return pattern is None or pattern.fullmatch(str(lit)) is None


def literal_table(triples: Iterable[tuple[Node, Node, Node]]) -> LiteralTable:
    """The literals a store alters, by (subject, predicate, stored literal): a scratch store holding each altered
    triple in a graph named by its position gives the stored form of each."""
    altered = [t for t in triples if isinstance(t[2], Literal) and altered_by_store(t[2])]
    table: LiteralTable = defaultdict(list)
    if not altered:
        return table
    scratch = ox.Store()
    lines = [f"{s.n3()} {p.n3()} {o.n3()} <urn:n:{n}> .\n" for n, (s, p, o) in enumerate(altered)]
    scratch.load("".join(lines), format=ox.RdfFormat.N_QUADS, lenient=True)
    for quad in scratch:
        original = altered[int(quad.graph_name.value[6:])][2]
        table[(quad.subject, quad.predicate, quad.object)].append(original)  # type: ignore[index]
    return table


def originals(table: LiteralTable, s: ox.NamedNode | ox.BlankNode, p: ox.NamedNode, o: Node) -> list[Node]:
    """The input literals behind a stored triple's object (the object itself when the store kept it)."""
    if isinstance(o, ox.Literal):
        found = table.get((s, p, o))
        if found:
            return list(found)
    return [to_rdflib(o)]  # type: ignore[arg-type]
