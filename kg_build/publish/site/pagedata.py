"""A page's data files written straight from Oxigraph triples, without an rdflib graph: sorted N-Triples lines
(byte-equal to ``canonical_ntriples``), Turtle with the project's prefixes, JSON-LD compacted with
``ontology/context.jsonld`` (the context embedded) and RDF/XML by Oxigraph. Every writer sorts what it writes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, XSD

from kg_build.namespaces import PREFIXES, bind_prefixes
from kg_build.publish.dumps import load_context

Term = ox.NamedNode | ox.BlankNode | ox.Literal
RDF_TYPE = str(RDF.type)
XSD_STRING = str(XSD.string)
LANG_STRING = str(RDF.langString)
VALUE_SEPARATOR = ",\n        "
SAFE_LOCAL = re.compile(r"[A-Za-z_](?:[A-Za-z0-9_\-.]*[A-Za-z0-9_\-])?")


def quoted(text: str) -> str:
    """A string in double quotes, escaped as rdflib's N-Triples writer does (tabs stay as they are)."""
    return '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r") + '"'


def nt_term(term: Term) -> str:
    """One term in N-Triples."""
    return written_term(term, lambda iri: f"<{iri}>")


def written_term(term: Term, iri: Callable[[str], str]) -> str:
    """One term with its IRIs (the node's, a literal's datatype) written by `iri`: N-Triples and Turtle differ
    only there."""
    if isinstance(term, ox.NamedNode):
        return iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if term.language:
        return f"{quoted(term.value)}@{term.language}"
    datatype = term.datatype.value
    return quoted(term.value) if datatype == XSD_STRING else f"{quoted(term.value)}^^{iri(datatype)}"


def sorted_triples(triples: Iterable[ox.Triple]) -> list[tuple[str, ox.Triple]]:
    """Distinct triples with their N-Triples line, in the order of the sorted lines."""
    lines = {f"{nt_term(t.subject)} {nt_term(t.predicate)} {nt_term(t.object)} .": t for t in triples}
    return sorted(lines.items())


def ntriples(rows: list[tuple[str, ox.Triple]]) -> str:
    return "".join(line + "\n" for line, _ in rows)


@cache
def rdflib_prefixes() -> tuple[tuple[str, str], ...]:
    """The prefixes an rdflib graph with the project's bindings knows, in its order (what RDF/XML declares)."""
    return tuple((name, str(ns)) for name, ns in bind_prefixes(Graph()).namespaces() if name)


def rdf_xml(rows: list[tuple[str, ox.Triple]]) -> str:
    """RDF/XML by Oxigraph, declaring the prefixes of the namespaces the triples use."""
    text = ntriples(rows)
    used = {name: ns for name, ns in rdflib_prefixes() if f"<{ns}" in text}
    return ox.serialize([t for _, t in rows], format=ox.RdfFormat.RDF_XML, prefixes=used).decode("utf-8")


@cache
def _namespaces() -> tuple[tuple[str, str], ...]:
    """The project's prefixes, longest namespace first (so the most specific one names an IRI)."""
    return tuple(sorted(((name, str(ns)) for name, ns in PREFIXES.items()), key=lambda p: (-len(p[1]), p[0])))


@lru_cache(maxsize=1 << 16)
def curie(iri: str) -> tuple[str, str] | None:
    """``(prefix, local)`` when `iri` is a namespace plus a local name Turtle and JSON-LD read as is."""
    for name, ns in _namespaces():
        if iri.startswith(ns) and SAFE_LOCAL.fullmatch(iri[len(ns):]):
            return name, iri[len(ns):]
    return None


def turtle_iri(iri: str, used: set[str]) -> str:
    found = curie(iri)
    if found is None:
        return f"<{iri}>"
    used.add(found[0])
    return f"{found[0]}:{found[1]}"


def turtle_term(term: Term, used: set[str]) -> str:
    return written_term(term, lambda iri: turtle_iri(iri, used))


def turtle(rows: list[tuple[str, ox.Triple]]) -> str:
    """Turtle: subjects in N-Triples order, rdf:type first as ``a``, then properties and values sorted."""
    used: set[str] = set()
    by_subject: dict[str, dict[str, list[str]]] = {}
    for _, t in rows:
        subject = turtle_term(t.subject, used)
        prop = "a" if t.predicate.value == RDF_TYPE else turtle_iri(t.predicate.value, used)
        by_subject.setdefault(subject, {}).setdefault(prop, []).append(turtle_term(t.object, used))
    blocks = []
    for subject, props in by_subject.items():
        lines = [f"    {p} {VALUE_SEPARATOR.join(sorted(values))}" for p, values in
                 sorted(props.items(), key=lambda kv: (kv[0] != "a", kv[0]))]
        blocks.append(f"{subject}\n" + " ;\n".join(lines) + " .\n")
    namespaces = dict(PREFIXES)
    head = "".join(f"@prefix {name}: <{namespaces[name]}> .\n" for name in sorted(used))
    return head + "\n" + "\n".join(blocks)


@dataclass(frozen=True)
class Terms:
    """The context's terms by what they fit: IRI values, language maps, a default language, a datatype, plain."""

    iris: dict[str, str]
    language_maps: dict[str, str]
    languages: dict[tuple[str, str], str]
    datatypes: dict[tuple[str, str], str]
    plain: dict[str, str]
    prefixes: tuple[tuple[str, str], ...]


@cache
def context_terms() -> Terms:
    """The terms of ``ontology/context.jsonld``, keyed by the property IRI they stand for."""
    context = load_context()
    prefixes = tuple(sorted(((k, v) for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))
                             and not k.startswith("@")), key=lambda p: (-len(p[1]), p[0])))

    def expand(value: str) -> str:
        head, _, tail = value.partition(":")
        return dict(prefixes).get(head, head + ":") + tail if tail and not tail.startswith("//") else value

    iris: dict[str, str] = {}
    maps: dict[str, str] = {}
    languages: dict[tuple[str, str], str] = {}
    datatypes: dict[tuple[str, str], str] = {}
    plain: dict[str, str] = {}
    for term, value in sorted(context.items()):
        if term.startswith("@") or ":" in term:
            continue
        if isinstance(value, str):
            if not value.startswith("@") and not value.endswith(("#", "/")):
                plain.setdefault(expand(value), term)
            continue
        prop = expand(value["@id"])
        if value.get("@container") == "@language" and set(value) == {"@id", "@container"}:
            maps.setdefault(prop, term)
        elif value.get("@type") == "@id" and set(value) == {"@id", "@type"}:
            iris.setdefault(prop, term)
        elif "@language" in value and set(value) == {"@id", "@language"}:
            languages.setdefault((prop, value["@language"]), term)
        elif "@type" in value and set(value) == {"@id", "@type"}:
            datatypes.setdefault((prop, expand(value["@type"])), term)
        elif set(value) == {"@id"}:
            plain.setdefault(prop, term)
    return Terms(iris, maps, languages, datatypes, plain, prefixes)


@lru_cache(maxsize=1 << 14)
def compact(iri: str) -> str:
    """A prefixed name of the context for `iri` (a key or a type), else the IRI itself."""
    for name, ns in context_terms().prefixes:
        if iri.startswith(ns) and SAFE_LOCAL.fullmatch(iri[len(ns):]):
            return f"{name}:{iri[len(ns):]}"
    return iri


def node_id(term: Term) -> str:
    return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"


def jsonld_value(prop: str, term: Term, terms: Terms) -> tuple[str, Any, str | None]:
    """``(key, value, language)`` of one triple's object: a term of the context when one fits the value, else the
    property's prefixed name with the value in expanded form; the language is set for language maps."""
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        if prop in terms.iris:
            return terms.iris[prop], node_id(term), None
        return compact(prop), {"@id": node_id(term)}, None
    if term.language:
        if prop in terms.language_maps:
            return terms.language_maps[prop], term.value, term.language
        if (prop, term.language) in terms.languages:
            return terms.languages[(prop, term.language)], term.value, None
        return compact(prop), {"@value": term.value, "@language": term.language}, None
    datatype = term.datatype.value
    if datatype == XSD_STRING:
        return terms.plain.get(prop, compact(prop)), term.value, None
    if (prop, datatype) in terms.datatypes:
        return terms.datatypes[(prop, datatype)], term.value, None
    return compact(prop), {"@value": term.value, "@type": compact(datatype)}, None


def _sort_key(value: Any) -> tuple[int, str]:
    return (0, value) if isinstance(value, str) else (1, json.dumps(value, ensure_ascii=False, sort_keys=True))


def _one_or_list(values: list[Any]) -> Any:
    values = sorted(values, key=_sort_key)
    return values[0] if len(values) == 1 else values


@cache
def context_json() -> str:
    return json.dumps(load_context(), ensure_ascii=False, sort_keys=True)


def jsonld(rows: list[tuple[str, ox.Triple]]) -> str:
    """JSON-LD on one line: the embedded context and a ``@graph`` of nodes sorted by id, values sorted."""
    terms = context_terms()
    nodes: dict[str, dict[str, Any]] = {}
    maps: dict[str, dict[str, dict[str, list[str]]]] = {}
    for _, t in rows:
        subject = node_id(t.subject)
        node = nodes.setdefault(subject, {"id": subject})
        if t.predicate.value == RDF_TYPE and isinstance(t.object, ox.NamedNode):
            node.setdefault("type", []).append(compact(t.object.value))
            continue
        key, value, language = jsonld_value(t.predicate.value, t.object, terms)
        if language is not None:
            maps.setdefault(subject, {}).setdefault(key, {}).setdefault(language, []).append(value)
        else:
            node.setdefault(key, []).append(value)
    for subject, node in nodes.items():
        for key in list(node):
            if key != "id":
                node[key] = _one_or_list(node[key])
        for key, by_language in maps.get(subject, {}).items():
            node[key] = {lang: _one_or_list(values) for lang, values in by_language.items()}
    graph = json.dumps([nodes[s] for s in sorted(nodes)], ensure_ascii=False, sort_keys=True)
    return f'{{"@context": {context_json()}, "@graph": {graph}}}\n'
