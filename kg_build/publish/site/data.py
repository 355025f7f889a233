"""What the static site is rendered from: lookups on the build's pyoxigraph store (asserted triples in the default
graph, inferred ones in ``INFERRED_GRAPH``), made one node at a time through the store's indexes, so memory holds
one page's data, not the corpus. Answers come as rdflib terms in the order of the sorted asserted graph, so pages
are the same whichever way the data was loaded. Every lookup can be recorded: the page's input, for rebuilds."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from kg_build.namespaces import CTOC, bind_prefixes
from kg_build.publish.site.paths import split_fragment
from kg_build.publish.store import INFERRED_GRAPH
from kg_build.validate.shapes import load_shapes

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title)
LABEL_SET = frozenset(LABEL_PROPERTIES)
SOURCE_PROPERTIES = (CTOC.statedIn, CTOC.raisedIn, CTOC.mentionIn, CTOC.citingUnit)
QUOTE_PROPERTIES = (CTOC.mentionText, CTOC.citationText)
OX_TYPE = ox.NamedNode(str(RDF.type))
XSD_STRING = str(XSD.string)
XSD_INTEGER = str(XSD.integer)
FOLDED = frozenset(str(XSD[name]) for name in (  # the integer types the store keeps as xsd:integer
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long", "int", "short", "byte",
    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))
CACHE_LIMIT = 10_000  # nodes whose lookups are kept; past it the cache starts afresh (memory stays flat)

Lookup = tuple[str, Node]  # ("o" outgoing | "i" incoming | "t" types, node)


@cache
def declared_datatypes() -> dict[str, str]:
    """Properties whose SHACL shapes (the ones every build is validated with) declare a single datatype that the
    store folds into xsd:integer: Oxigraph keeps "5"^^xsd:nonNegativeInteger as "5"^^xsd:integer
    (oxigraph/oxigraph#526). A build whose data break the declaration stops, so its literals are of that type."""
    shapes = load_shapes()
    found: dict[str, set[str]] = {}
    for shape, datatype in shapes.subject_objects(SH.datatype):
        for prop in shapes.objects(shape, SH.path):
            if isinstance(prop, URIRef):
                found.setdefault(str(prop), set()).add(str(datatype))
    return {prop: types.pop() for prop, types in sorted(found.items()) if len(types) == 1 and types <= FOLDED}


def as_written(predicate: ox.NamedNode, term: ox.NamedNode | ox.BlankNode | ox.Literal
               ) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A value as the build wrote it: an integer the store folded gets back the datatype its property declares."""
    if isinstance(term, ox.Literal) and term.datatype.value == XSD_INTEGER \
            and (declared := declared_datatypes().get(predicate.value)) is not None:
        return ox.Literal(term.value, datatype=ox.NamedNode(declared))
    return term


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """An Oxigraph term as the rdflib term a parser of the same N-Triples would make."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value) if datatype == XSD_STRING else Literal(term.value, datatype=URIRef(datatype))


def to_oxigraph(node: Node) -> ox.NamedNode | ox.BlankNode | None:
    """The Oxigraph term of a resource (None for a literal or anything else: it has no outgoing links)."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    return None


def graph_store(graph: Graph, inferred: Graph | None = None) -> ox.Store:
    """An in-memory store laid out like the build's (asserted in the default graph, inferred in its own)."""
    store = ox.Store()
    for source, name in ((graph, ox.DefaultGraph()), (inferred, INFERRED_GRAPH)):
        if source is not None:
            text = source.serialize(format="nt", encoding="utf-8")
            store.bulk_load(text, format=ox.RdfFormat.N_TRIPLES, to_graph=name)
    return store


@dataclass
class SiteData:
    """Lookups on the store (types also from the inferred graph, labels of properties and classes also from the
    ontology), kept in a bounded cache; `recording` collects the lookups a page makes while it is set."""

    store: ox.Store
    ontology: Graph | None = None
    recording: set[Lookup] | None = None
    _out: dict[Node, list[tuple[URIRef, Node]]] = field(default_factory=dict)
    _in: dict[Node, list[tuple[Node, URIRef]]] = field(default_factory=dict)
    _types: dict[Node, frozenset[URIRef]] = field(default_factory=dict)
    _by_property: dict[Node, dict[URIRef, list[Node]]] = field(default_factory=dict)
    _labels: dict[Node, dict[str, list[str]]] = field(default_factory=dict)
    _answers: dict[Lookup, bytes] = field(default_factory=dict)
    _ontology_labels: dict[Node, dict[str, list[str]]] = field(default_factory=dict)
    _curies: dict[URIRef, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.namespaces = bind_prefixes(Graph()).namespace_manager
        for prop in LABEL_PROPERTIES:
            for s, o in (self.ontology.subject_objects(prop) if self.ontology is not None else ()):
                if isinstance(o, Literal):
                    found = self._ontology_labels.setdefault(s, {}).setdefault(o.language or "", [])
                    if str(o) not in found:
                        found.append(str(o))

    @classmethod
    def build(cls, graph: Graph, inferred: Graph | None = None, ontology: Graph | None = None) -> SiteData:
        """Lookups on an rdflib graph (loaded into an in-memory store): for tests and small graphs."""
        return cls(graph_store(graph, inferred), ontology)

    def _note(self, kind: str, node: Node) -> None:
        if self.recording is not None and isinstance(node, URIRef | BNode):
            self.recording.add((kind, node))

    def _room(self, cache: dict) -> None:
        if len(cache) >= CACHE_LIMIT:
            cache.clear()

    def outgoing(self, node: Node) -> list[tuple[URIRef, Node]]:
        """``(property, value)`` of the node's asserted triples, sorted as rdflib sorts triples."""
        self._note("o", node)
        found = self._out.get(node)
        if found is None:
            subject = to_oxigraph(node)
            quads = self.store.quads_for_pattern(subject, None, None, ox.DefaultGraph()) if subject else ()
            found = sorted((URIRef(q.predicate.value), to_rdflib(as_written(q.predicate, q.object)))
                           for q in quads)  # type: ignore[misc]
            self._room(self._out)
            self._out[node] = found
        return found

    def incoming(self, node: Node) -> list[tuple[Node, URIRef]]:
        """``(subject, property)`` of the asserted triples pointing at the node (an IRI), sorted."""
        self._note("i", node)
        found = self._in.get(node)
        if found is None:
            target = ox.NamedNode(str(node)) if isinstance(node, URIRef) else None
            quads = self.store.quads_for_pattern(None, None, target, ox.DefaultGraph()) if target else ()
            found = sorted((to_rdflib(q.subject), URIRef(q.predicate.value)) for q in quads)  # type: ignore[misc]
            self._room(self._in)
            self._in[node] = found
        return found

    def types(self, node: Node) -> frozenset[URIRef]:
        """The node's classes, asserted or inferred."""
        self._note("t", node)
        found = self._types.get(node)
        if found is None:
            subject = to_oxigraph(node)
            quads = self.store.quads_for_pattern(subject, OX_TYPE, None, None) if subject else ()
            found = frozenset(URIRef(q.object.value) for q in quads if isinstance(q.object, ox.NamedNode))
            self._room(self._types)
            self._types[node] = found
        return found

    def values(self, node: Node, prop: URIRef) -> list[Node]:
        """The node's values of one property, in outgoing order."""
        by_property = self._by_property.get(node)
        if by_property is None:
            by_property = {}
            for p, o in self.outgoing(node):
                by_property.setdefault(p, []).append(o)
            self._room(self._by_property)
            self._by_property[node] = by_property
        else:
            self._note("o", node)
        return by_property.get(prop, [])

    def asserted_types(self, node: Node) -> set[URIRef]:
        return {o for o in self.values(node, RDF.type) if isinstance(o, URIRef)}

    def labels(self, node: Node) -> dict[str, list[str]]:
        """The node's labels by language ("" for none): its own (asserted) and the ontology's."""
        found = self._labels.get(node)
        if found is not None:
            self._note("o", node)
            return found
        found = {}
        for p, o in self.outgoing(node):
            if p in LABEL_SET and isinstance(o, Literal) and str(o) not in found.get(o.language or "", []):
                found.setdefault(o.language or "", []).append(str(o))
        for lang, values in self._ontology_labels.get(node, {}).items():
            found.setdefault(lang, []).extend(v for v in values if v not in found.get(lang, []))
        self._room(self._labels)
        self._labels[node] = found
        return found

    def input_digest(self, lookups: Iterable[Lookup]) -> str:
        """SHA-256 over the answers of `lookups` (what a page read): equal digests, equal pages."""
        sha = hashlib.sha256()
        for lookup in sorted(lookups, key=lambda k: (k[0], str(k[1]))):
            sha.update(self.answer_digest(lookup))
        return sha.hexdigest()

    def answer_digest(self, lookup: Lookup) -> bytes:
        """SHA-256 of one lookup and its answer (kept while the node's answers are)."""
        found = self._answers.get(lookup)
        if found is None:
            kind, node = lookup
            if kind == "t":
                shown = " ".join(sorted(self.types(node)))
            else:
                answer = self.outgoing(node) if kind == "o" else self.incoming(node)
                shown = " ".join(f"{a.n3()} {b.n3()}" for a, b in answer)
            found = hashlib.sha256(f"{kind} {node.n3()} {shown}".encode()).digest()
            self._room(self._answers)
            self._answers[lookup] = found
        return found

    def label(self, node: Node, lang: str = "zh") -> str:
        """The node's label in `lang`, else in another language, else the end of its IRI."""
        return self.tagged_label(node, lang)[0]

    def tagged_label(self, node: Node, lang: str = "zh") -> tuple[str, str]:
        """``label(node, lang)`` with the language it is in ("" for an untagged label or an IRI's end), so a
        page can mark it."""
        found = self.labels(node)
        for key in (lang, "zh", "en", "", *sorted(found)):
            if found.get(key):
                return sorted(found[key])[0], key
        if isinstance(node, URIRef):
            base, fragment = split_fragment(str(node))
            tail = base.rstrip("/").rsplit("/", 1)[-1]
            return (f"{tail}#{fragment}" if fragment else tail), ""
        return str(node), ""

    def own_label(self, node: Node, lang: str) -> str | None:
        """The label in exactly `lang` (None when the node has none in that language)."""
        values = self.labels(node).get(lang)
        return sorted(values)[0] if values else None

    def curie(self, term: URIRef) -> str:
        found = self._curies.get(term)
        if found is None:
            try:
                found = self.namespaces.normalizeUri(term)
            except ValueError:
                found = str(term)
            self._curies[term] = found
        return found

    def value(self, node: Node, prop: URIRef) -> Node | None:
        found = self.values(node, prop)
        return found[0] if found else None

    def text(self, unit: Node) -> str | None:
        """The text of a text unit (``ctoc:text``)."""
        found = self.value(unit, CTOC.text)
        return str(found) if found is not None else None

    def source_units(self, fact: Node) -> list[URIRef]:
        """The text units a fact was read from: its statedIn/raisedIn/mentionIn/citingUnit, or a
        prov:wasDerivedFrom that points to something with a text."""
        found = [o for p in SOURCE_PROPERTIES for o in self.values(fact, p) if isinstance(o, URIRef)]
        found += [o for o in self.values(fact, PROV.wasDerivedFrom)
                  if isinstance(o, URIRef) and self.text(o) is not None and o not in found]
        return found

    def quote(self, fact: Node) -> str | None:
        """The words of the unit a fact stands for (a mention's or citation's text as written)."""
        for prop in QUOTE_PROPERTIES:
            if (found := self.value(fact, prop)) is not None:
                return str(found)
        return None

    def report_of(self, unit: Node) -> URIRef | None:
        found = self.value(unit, CTOC.inReport)
        return found if isinstance(found, URIRef) else None

    def is_a(self, node: Node, cls: URIRef) -> bool:
        return cls in self.types(node)

    def local_type(self, node: Node) -> str:
        """The local name of the node's ctoc: class ("Paragraph"), asserted before inferred (the asserted one is
        the most specific); "" when it has none."""
        for types in (self.asserted_types(node), self.types(node)):
            names = sorted(str(t)[len(str(CTOC)):] for t in types if str(t).startswith(str(CTOC)))
            if names:
                return names[0]
        return ""
