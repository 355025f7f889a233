"""Indexes the static site is rendered from: labels, types, outgoing and incoming links, the page of each
IRI, and where a fact was read in the report (its text unit and the words it quotes)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from kg_build.namespaces import CTOC, bind_prefixes
from kg_build.publish.site.paths import page_iri, split_fragment

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title)
SOURCE_PROPERTIES = (CTOC.statedIn, CTOC.raisedIn, CTOC.mentionIn, CTOC.citingUnit)
QUOTE_PROPERTIES = (CTOC.mentionText, CTOC.citationText)


@dataclass
class SiteData:
    """The asserted graph with lookups built once (types also from the inferred graph, labels of
    properties and classes also from the ontology)."""

    graph: Graph
    ontology: Graph | None = None
    types: dict[Node, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    asserted_types: dict[Node, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[Node, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    outgoing: dict[Node, list[tuple[URIRef, Node]]] = field(default_factory=lambda: defaultdict(list))
    incoming: dict[Node, list[tuple[Node, URIRef]]] = field(default_factory=lambda: defaultdict(list))
    pages: dict[str, list[URIRef]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def build(cls, graph: Graph, inferred: Graph | None = None, ontology: Graph | None = None) -> SiteData:
        data = cls(bind_prefixes(graph), ontology)
        for s, p, o in sorted(graph):
            data.outgoing[s].append((p, o))  # type: ignore[arg-type]
            if isinstance(o, URIRef):
                data.incoming[o].append((s, p))  # type: ignore[arg-type]
            if p == RDF.type and isinstance(o, URIRef):
                data.types[s].add(o)
                data.asserted_types[s].add(o)
        for s, o in (inferred.subject_objects(RDF.type) if inferred is not None else ()):
            if isinstance(o, URIRef):
                data.types[s].add(o)
        for source in (graph, ontology):
            for prop in LABEL_PROPERTIES:
                for s, o in (source.subject_objects(prop) if source is not None else ()):
                    if isinstance(o, Literal) and str(o) not in data.labels[s][o.language or ""]:
                        data.labels[s][o.language or ""].append(str(o))
        shown: set[str] = set()
        for node in set(graph.subjects()) | set(graph.objects()):
            if isinstance(node, URIRef) and (page := page_iri(str(node))) is not None:
                shown.add(str(node))
                shown.add(page)
        for iri in sorted(shown):
            data.pages[page_iri(iri) or iri].append(URIRef(iri))
        return data

    def label(self, node: Node, lang: str = "zh") -> str:
        """The node's label in `lang`, else in another language, else the end of its IRI."""
        return self.tagged_label(node, lang)[0]

    def tagged_label(self, node: Node, lang: str = "zh") -> tuple[str, str]:
        """``label(node, lang)`` with the language it is in ("" for an untagged label or an IRI's end), so a
        page can mark it."""
        found = self.labels.get(node, {})
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
        values = self.labels.get(node, {}).get(lang)
        return sorted(values)[0] if values else None

    def curie(self, term: URIRef) -> str:
        try:
            return self.graph.namespace_manager.normalizeUri(term)
        except ValueError:
            return str(term)

    def values(self, node: Node, prop: URIRef) -> list[Node]:
        return [o for p, o in self.outgoing.get(node, ()) if p == prop]

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
        return cls in self.types.get(node, set())

    def local_type(self, node: Node) -> str:
        """The local name of the node's ctoc: class ("Paragraph"), asserted before inferred (the asserted one is
        the most specific); "" when it has none."""
        for types in (self.asserted_types.get(node, ()), self.types.get(node, ())):
            names = sorted(str(t)[len(str(CTOC)):] for t in types if str(t).startswith(str(CTOC)))
            if names:
                return names[0]
        return ""
