"""RDF terms for queries: `--bind` values parsed into terms, terms written safely as SPARQL/N-Triples text.

Values are never pasted into query text: a bound value becomes an RDF term, and where a term must be
written out (a VALUES block for a remote endpoint, INSERT DATA for push) it is serialized here with every
character that could end the term escaped, after its IRI or language tag was checked against the grammar.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Identifier

from kg_build.errors import UsageError
from kg_build.sparql.printable import printable

Term = URIRef | Literal | BNode

# IRIREF of the SPARQL / N-Triples grammar: no spaces, controls or <>"{}|^`\ inside.
_IRI = re.compile(r'^[^\x00-\x20<>"{}|^`\\]*$')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_LANG = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_LITERAL = re.compile(r'^"(?P<body>.*)"(?:@(?P<lang>[^@"^]+)|\^\^<(?P<dt>[^<>]*)>)?$', re.DOTALL)
_INTEGER = re.compile(r"^[+-]?[0-9]+$")  # ASCII digits only: "１２" stays a plain literal
_VAR = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_UNESCAPE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def checked_iri(value: str) -> URIRef:
    """An absolute IRI that can be written between <> without ending early; UsageError otherwise."""
    if not _IRI.match(value) or not _SCHEME.match(value):
        raise UsageError(f"not an absolute IRI: <{printable(value)}> (no spaces, quotes, braces or <>|^`\\ allowed)")
    return URIRef(value)


def _unescape(body: str) -> str:
    """Undo SPARQL string escapes (\\" \\\\ \\n \\t \\uXXXX ...) in a quoted --bind value."""
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in _UNESCAPE:
                out.append(_UNESCAPE[nxt])
                i += 2
                continue
            width = {"u": 4, "U": 8}.get(nxt)
            digits = body[i + 2 : i + 2 + width] if width else ""
            if width and len(digits) == width and all(c in "0123456789abcdefABCDEF" for c in digits):
                out.append(chr(int(digits, 16)))
                i += 2 + width
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def parse_value(text: str) -> Term:
    """Parse one --bind value: `<iri>`, `"literal"`, `"literal"@zh`, `"x"^^<dt>`, digits -> xsd:integer, else a
    plain literal holding the text as given."""
    if text.startswith("<") and text.endswith(">") and len(text) >= 2:
        return checked_iri(text[1:-1])
    match = _LITERAL.match(text)
    if match:
        body = _unescape(match.group("body"))
        if match.group("lang") is not None:
            if not _LANG.match(match.group("lang")):
                raise UsageError(f"not a language tag: @{match.group('lang')}")
            return Literal(body, lang=match.group("lang"))
        if match.group("dt") is not None:
            return Literal(body, datatype=checked_iri(match.group("dt")))
        return Literal(body)
    if _INTEGER.match(text):
        return Literal(text, datatype=XSD.integer)
    return Literal(text)


def parse_binding(arg: str) -> tuple[str, Term]:
    """Split `NAME=VALUE` (NAME with or without `?`) and parse the value as an RDF term. An empty value, or one
    with leading or trailing whitespace, is refused: unquoted it matched nothing and gave 0 rows silently."""
    name, sep, value = arg.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _VAR.match(name):
        raise UsageError(f"--bind expects NAME=VALUE with NAME a SPARQL variable name, got '{printable(arg)}'")
    if not value:
        raise UsageError(f"--bind {name}=: empty value (to bind an empty string write {name}='\"\"')")
    if value != value.strip():
        raise UsageError(f"--bind {name}='{printable(value)}': leading or trailing whitespace (a stray space would "
                         f"match nothing); quote it to mean it: {name}='\"{printable(value)}\"'")
    return name, parse_value(value)


def escape_string(value: str) -> str:
    """A string's body escaped for a SPARQL or N-Triples double-quoted literal.

    SPARQL engines may expand `\\uXXXX` before parsing (rdflib does), which would turn an escaped backslash
    followed by `u0022` into a quote; so a `u`/`U` right after a backslash is written as `\\U00000075`.
    """
    out = []
    for i, ch in enumerate(value):
        if ch in "uU" and i > 0 and value[i - 1] == "\\":
            out.append(f"\\U{ord(ch):08X}")  # 8 digits: rdflib's expansion also eats 8 after a \\u
        else:
            out.append(_ESCAPE.get(ch, ch))
    return "".join(out)


def to_ntriples(term: Identifier) -> str:
    """A term in N-Triples syntax (also valid SPARQL), with the IRI and language tag checked first."""
    if isinstance(term, URIRef):
        return f"<{checked_iri(str(term))}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        body = f'"{escape_string(str(term))}"'
        if term.language:
            if not _LANG.match(term.language):
                raise UsageError(f"not a language tag: @{term.language}")
            return f"{body}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{body}^^<{checked_iri(str(term.datatype))}>"
        return body
    raise UsageError(f"cannot write {term!r} as an RDF term")


def from_oxigraph(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Term:
    """A pyoxigraph term as the equivalent rdflib term (plain strings without an explicit xsd:string)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise UsageError(f"unsupported term in a result: {term!r}")


def to_oxigraph(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as the equivalent pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def from_json(binding: dict[str, str]) -> Term:
    """A term from a SPARQL JSON results binding (also Virtuoso's older `typed-literal`); ValueError when it
    is none."""
    kind = binding.get("type")
    value = str(binding.get("value", ""))
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang = binding.get("xml:lang")
        if lang:
            return Literal(value, lang=lang)
        datatype = binding.get("datatype")
        if datatype and datatype != str(XSD.string):
            return Literal(value, datatype=URIRef(datatype))
        return Literal(value)
    raise ValueError(f"unsupported term type {printable(str(kind), 40)!r} in SPARQL JSON results")


def to_json(term: Term) -> dict[str, str]:
    """A term as a SPARQL 1.1 JSON results binding."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None and term.datatype != XSD.string:
        out["datatype"] = str(term.datatype)
    return out
