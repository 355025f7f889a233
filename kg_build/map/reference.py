"""Stage 4 (reference layer, once per build): the registries of data/registries/ as RDF. Every entity
points to its registry file (prov:wasDerivedFrom)."""

from __future__ import annotations

import hashlib
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, XSD

from kg_build.iris import CONCEPT_SCHEME, act_iri, article_iri, concept_iri, doc_iri, entity_iri, iri, undocs_url
from kg_build.map.writer import GraphWriter, lit_en, lit_zh
from kg_build.namespaces import CTOC, ELI, WD
from kg_build.reference.cldr import cldr_names
from kg_build.reference.entities import CONCEPT_CLASS, Concept, Entity, Registries

SCHEME_LABELS = {
    "actions": ("Actions", "行动"), "topics": ("Topics", "议题"), "roles": ("Roles", "角色"),
    "capacities": ("Capacities", "身份"), "regional_groups": ("United Nations regional groups", "联合国区域组"),
}


class ReferenceMapper(GraphWriter):
    """Adds the registry entities (States, bodies, networks, people, Convention articles, acts, documents,
    concepts) to a graph, each derived from its registry file; also mints the nodes facts point to."""

    def __init__(self, graph: Graph, registries: Registries, labelled: frozenset[URIRef] = frozenset()) -> None:
        super().__init__(graph)
        self.reg = registries
        self.labelled = labelled  # nodes labelled in a graph mapped before (the reference data, for a partition)

    def registry_file(self, name: str) -> URIRef:
        node = iri(f"source/registry/{name}")
        path = self.reg.directory / name
        self.add(node, RDF.type, CTOC.RegistryFile)
        self.add(node, RDFS.label, Literal(f"data/registries/{name}"))
        self.add(node, DCTERMS.identifier, Literal(f"data/registries/{name}"))
        self.add(node, CTOC.sha256, Literal(hashlib.sha256(path.read_bytes()).hexdigest()))
        self.add(node, DCTERMS.format, Literal("application/yaml"))
        return node

    def map_registries(self) -> None:
        for entity in self.reg.entities.values():
            self.entity(entity)
        for key, entry in self.reg.acts.items():
            self.act(key, entry)
        for symbol, entry in self.reg.documents.items():
            self.document(symbol, entry.get("title_en"), None, "documents.yaml")
        for name, concepts in self.reg.concepts.items():
            self.scheme(name)
            for concept in concepts.values():
                self.concept(concept)

    def entity(self, e: Entity) -> None:
        node, data = e.iri, e.data
        self.add(node, RDF.type, CTOC[e.cls])
        self.labels(node, e.name_en, e.name_zh or e.name_en)
        for alias in [data.get("formal_zh"), *(data.get("aliases_zh") or [])]:
            if alias and alias != e.name_zh:
                self.add(node, SKOS.altLabel, lit_zh(alias))
        for alias in [data.get("formal_en"), *(data.get("aliases_en") or [])]:
            if alias and alias != e.name_en:
                self.add(node, SKOS.altLabel, lit_en(alias))
        self.add(node, PROV.wasDerivedFrom, self.registry_file(e.registry))
        if data.get("source"):
            self.add(node, DCTERMS.source, Literal(str(data["source"])))
        if data.get("wikidata"):
            self.add(node, CTOC.wikidata, WD[str(data["wikidata"])])
        getattr(self, f"_{e.kind}", lambda *_: None)(node, data)

    def _state(self, node: URIRef, data: dict[str, Any]) -> None:
        self.add(node, CTOC.iso3166Alpha2, Literal(data["iso2"]))
        self.add(node, CTOC.iso3166Alpha3, Literal(data["iso3"]))
        self.add(node, CTOC.m49, Literal(str(data["m49"]).zfill(3)))
        if data.get("regional_group"):
            self.add(node, CTOC.regionalGroup, concept_iri("regional_groups", data["regional_group"]))
        for language, name in sorted(cldr_names(data["iso2"]).items()):
            self.add(node, CTOC.cldrName, Literal(name, lang=language))

    def _body(self, node: URIRef, data: dict[str, Any]) -> None:
        if data.get("part_of"):
            self.add(node, CTOC.subOrganizationOf, entity_iri(f"body/{data['part_of']}"))
        for act in data.get("established_by") or []:
            self.add(node, CTOC.establishedBy, act_iri(act))
        for other in data.get("joint_meeting_with") or []:
            self.add(node, CTOC.jointMeetingWith, entity_iri(f"body/{other}"))
        for other in data.get("serves_as_secretariat_of") or []:
            self.add(node, CTOC.servesAsSecretariatOf, entity_iri(f"body/{other}"))

    def _network(self, node: URIRef, data: dict[str, Any]) -> None:
        for agent in data.get("supported_by") or []:
            self.add(node, CTOC.supportedBy, entity_iri(agent))
        for agent in data.get("established_under") or []:
            self.add(node, CTOC.establishedUnderAuspicesOf, entity_iri(agent))
        if data.get("region_en"):
            self.add(node, CTOC.region, lit_en(data["region_en"]))
        if data.get("region_zh"):
            self.add(node, CTOC.region, lit_zh(data["region_zh"]))
        self.add(node, CTOC.planned, Literal(bool(data.get("planned", False))))

    def _person(self, node: URIRef, data: dict[str, Any]) -> None:
        self.add(node, FOAF.name, Literal(data["name"]))
        if data.get("affiliation"):
            self.add(node, CTOC.affiliation, entity_iri(data["affiliation"]))

    def _convention(self, node: URIRef, data: dict[str, Any]) -> None:
        self.add(node, CTOC.articleCount, Literal(int(data["article_count"]), datatype=XSD.integer))
        for article in data.get("articles") or []:
            art = self.article(data["slug"], int(article["number"]))
            self.add(art, DCTERMS.title, lit_en(article["title_en"]))
            self.add(art, DCTERMS.title, lit_zh(article["title_zh"]))
            if article.get("paragraph_count"):
                self.add(art, CTOC.paragraphCount, Literal(int(article["paragraph_count"]), datatype=XSD.integer))
            self.add(art, PROV.wasDerivedFrom, self.registry_file("conventions.yaml"))

    def article(self, convention: str, number: int, paragraph: int | None = None) -> URIRef:
        """The IRI of an article or article paragraph, typed, numbered, labelled and part of its whole."""
        conv = self.reg.entities.get(f"convention/{convention}")
        short_en = (conv.data.get("short_en") if conv else None) or convention.upper()
        name_zh = conv.name_zh if conv and conv.name_zh else convention
        node = article_iri(convention, number, paragraph)
        if paragraph is None:
            self.add(node, RDF.type, CTOC.Article)
            self.add(node, ELI.is_part_of, entity_iri(f"convention/{convention}"))
            self.add(node, ELI.number, Literal(str(number)))
            self.labels(node, f"{short_en} article {number}", f"《{name_zh}》第{number}条")
        else:
            parent = self.article(convention, number)
            self.add(node, RDF.type, CTOC.ArticleParagraph)
            self.add(node, ELI.is_part_of, parent)
            self.add(node, ELI.number, Literal(str(paragraph)))
            self.labels(node, f"{short_en} article {number}, paragraph {paragraph}",
                        f"《{name_zh}》第{number}条第{paragraph}款")
        return node

    def act(self, key: str, entry: dict[str, Any], registry: str | None = "acts.yaml") -> URIRef:
        """A decision or resolution; `registry` is None for one the text cites that acts.yaml lacks."""
        node = act_iri(key)
        kind, symbol = entry["kind"], str(entry["symbol"])
        self.add(node, RDF.type, CTOC.Decision if kind == "decision" else CTOC.Resolution)
        zh_kind = "决定" if kind == "decision" else "决议"
        self.labels(node, f"{kind.capitalize()} {symbol}" + (f": {entry['title_en']}" if entry.get("title_en") else ""),
                    f"第{symbol}号{zh_kind}" + (f"：{entry['title_zh']}" if entry.get("title_zh") else ""))
        self.add(node, CTOC.symbol, Literal(symbol))
        self.add(node, ELI.number, Literal(symbol))
        session, number = (int(x) for x in symbol.split("/"))
        self.add(node, CTOC.sessionNumber, Literal(session, datatype=XSD.integer))
        self.add(node, CTOC.actNumber, Literal(number, datatype=XSD.integer))
        if entry.get("body"):
            self.add(node, CTOC.adoptedBy, entity_iri(f"body/{entry['body']}"))
        if entry.get("year"):
            self.add(node, DCTERMS.issued, Literal(str(entry["year"]), datatype=XSD.gYear))
        if registry:
            self.add(node, PROV.wasDerivedFrom, self.registry_file(registry))
        return node

    def document(self, symbol: str, title_en: str | None, title_zh: str | None, registry: str | None) -> URIRef:
        node = doc_iri(symbol)
        self.add(node, RDF.type, CTOC.Document)
        self.add(node, CTOC.symbol, Literal(symbol))
        self.add(node, RDFS.seeAlso, undocs_url(symbol))
        self.add(node, RDFS.label, lit_en(f"{symbol}" + (f": {title_en}" if title_en else "")))
        if title_en:
            self.add(node, DCTERMS.title, lit_en(title_en))
        if title_zh:
            self.add(node, DCTERMS.title, lit_zh(title_zh))
            self.add(node, RDFS.label, lit_zh(f"{symbol}：{title_zh}"))
        if registry:
            self.add(node, PROV.wasDerivedFrom, self.registry_file(registry))
        return node

    def scheme(self, name: str) -> None:
        node = iri(f"concept/{CONCEPT_SCHEME[name]}")
        self.add(node, RDF.type, SKOS.ConceptScheme)
        self.labels(node, *SCHEME_LABELS[name])
        self.add(node, SKOS.prefLabel, lit_en(SCHEME_LABELS[name][0]))
        self.add(node, SKOS.prefLabel, lit_zh(SCHEME_LABELS[name][1]))

    def concept(self, c: Concept) -> None:
        self.add(c.iri, RDF.type, CTOC[CONCEPT_CLASS[c.scheme]])
        self.add(c.iri, RDF.type, SKOS.Concept)
        self.add(c.iri, SKOS.inScheme, iri(f"concept/{CONCEPT_SCHEME[c.scheme]}"))
        self.labels(c.iri, c.label_en, c.label_zh)
        self.add(c.iri, SKOS.prefLabel, lit_en(c.label_en))
        self.add(c.iri, SKOS.prefLabel, lit_zh(c.label_zh))
        if c.definition_en:
            self.add(c.iri, SKOS.definition, lit_en(c.definition_en))
        for instrument, numbers in sorted((c.data.get("articles") or {}).items()):  # per instrument (topics.yaml)
            for number in numbers:
                self.add(c.iri, CTOC.relatedProvision, self.article(instrument, int(number)))
        self.add(c.iri, PROV.wasDerivedFrom, self.registry_file(c.registry))
