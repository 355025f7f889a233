"""Stage 4 (domain layer): map the registries and the facts extracted from each report to RDF.

Registry entities point to their registry file (prov:wasDerivedFrom); facts from the text point to
the unit they were stated in (ctoc:statedIn, ctoc:raisedIn, ctoc:mentionIn, ctoc:citingUnit)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, XSD

from kg_build.extract.facts import Extraction, Span
from kg_build.link.entities import (
    CONCEPT_CLASS,
    CONCEPT_SCHEME,
    Concept,
    Entity,
    Registries,
    act_iri,
    article_iri,
    concept_iri,
    entity_iri,
)
from kg_build.link.linker import cldr_names
from kg_build.map.document import ReportIris, add_anchor, doc_iri, iri, undocs_url
from kg_build.namespaces import CTOC, ELI, WD
from kg_build.read.model import Document

SCHEME_LABELS = {
    "actions": ("Actions", "行动"), "topics": ("Topics", "议题"), "roles": ("Roles", "角色"),
    "capacities": ("Capacities", "身份"), "regional_groups": ("United Nations regional groups", "联合国区域组"),
}


def lit_en(text: str) -> Literal:
    return Literal(" ".join(str(text).split()), lang="en")


def lit_zh(text: str) -> Literal:
    return Literal(str(text), lang="zh")


def slug(key: str) -> str:
    """A path-safe slug of a key: ``state/ECU`` → ``state-ECU``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-")


class DomainMapper:
    """Adds registry entities and report facts to one graph."""

    def __init__(self, graph: Graph, registries: Registries) -> None:
        self.g, self.reg = graph, registries

    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        self.g.add((s, p, o))

    def labels(self, node: URIRef, en: str, zh: str) -> None:
        self.add(node, RDFS.label, lit_en(en))
        self.add(node, RDFS.label, lit_zh(zh))

    # -- registries --------------------------------------------------------------------------------
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
        for alias in data.get("aliases_zh") or []:
            self.add(node, SKOS.altLabel, lit_zh(alias))
        for alias in data.get("aliases_en") or []:
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
        for article in c.data.get("articles") or []:
            self.add(c.iri, CTOC.relatedProvision, self.article("untoc", int(article)))
        self.add(c.iri, PROV.wasDerivedFrom, self.registry_file(c.registry))

    # -- facts of one report -----------------------------------------------------------------------
    def map_facts(self, doc: Document, iris: ReportIris, x: Extraction) -> None:
        meeting = self.meeting(doc, iris, x)
        unit = iris.unit
        for mention in x.mentions:
            self.mention(doc, iris, mention.span, mention.mention_type, mention.key)
        for citation in x.citations:
            target = self.citation_target(citation.target, citation.key)
            node = URIRef(f"{unit(citation.span.unit)}/citation/{slug(citation.key)}")
            self.add(node, RDF.type, CTOC.Citation)
            self.add(node, CTOC.citingUnit, unit(citation.span.unit))
            self.add(node, CTOC.cited, target)
            self.add(node, CTOC.citationText, lit_zh(citation.span.text))
            self.add(unit(citation.span.unit), CTOC.cites, target)
            self.labels(node, f"Citation of {citation.key}", f"引用：{citation.span.text}")
        for o in x.outcomes:
            node = URIRef(f"{unit(o.unit)}/{o.kind}")
            self.add(node, RDF.type, CTOC.Recommendation if o.kind == "recommendation" else CTOC.Conclusion)
            self.labels(node, f"{o.kind.capitalize()} {o.outcome_id}",
                        f"{'建议' if o.kind == 'recommendation' else '结论'}{o.outcome_id}")
            self.add(node, CTOC.outcomeId, Literal(o.outcome_id))
            self.add(node, CTOC.statedIn, unit(o.unit))
            for key in o.proponents:
                self.add(node, CTOC.proponent, entity_iri(key))
            for key in o.addressees:
                self.add(node, CTOC.addressee, entity_iri(key))
            for action in o.actions:
                self.add(node, CTOC.action, concept_iri("actions", action))
            for topic in o.topics:
                self.add(node, CTOC.topic, concept_iri("topics", topic))
            for key in o.cites:
                self.add(node, CTOC.cites, self.citation_target("provision", key))
            if o.consensus is not None:
                self.add(node, CTOC.consensusReached, Literal(o.consensus))
        for q in x.questions:
            node = URIRef(f"{unit(q.span.unit)}/question/{q.index}")
            self.add(node, RDF.type, CTOC.Question)
            label = doc.unit(q.span.unit)
            self.labels(node, f"Question raised in {label.eid.replace('/', ' ')}", f"问题：{q.span.text[:40]}")
            self.add(node, CTOC.raisedIn, unit(q.span.unit))
            self.anchor(doc, iris, node, q.span)
        for s in x.statements:
            if s.speaker is None:
                continue
            node = URIRef(f"{iris.work}/statement/{slug(s.speaker)}")
            speaker = self.reg.entities[s.speaker]
            self.add(node, RDF.type, CTOC.Statement)
            self.labels(node, f"Statement by {speaker.name_en}", f"{speaker.name_zh or speaker.name_en}的发言")
            self.add(node, CTOC.speaker, speaker.iri)
            self.add(node, CTOC.capacity, concept_iri("capacities", s.capacity))
            self.add(node, CTOC.inActivity, meeting)
            self.add(node, CTOC.statedIn, unit(s.unit))
        for p in x.participations:
            if p.person is None:
                continue
            node = URIRef(f"{unit(p.unit)}/participation/{p.person.split('/', 1)[1]}")
            self.add(node, RDF.type, CTOC.Participation)
            self.labels(node, f"Participation of {p.name}", f"{p.name}的参与")
            self.add(node, CTOC.participant, entity_iri(p.person))
            for role in p.roles:
                self.add(node, CTOC.role, concept_iri("roles", role))
            if p.in_name_of:
                self.add(node, CTOC.inNameOf, entity_iri(p.in_name_of))
            self.add(node, CTOC.inActivity, self.agenda_item(meeting, p.agenda_item) if p.agenda_item else meeting)
            for network in p.presented:
                self.add(node, CTOC.presented, entity_iri(network))
            self.add(node, CTOC.statedIn, unit(p.unit))
        for m in x.memberships:
            if m.member is None:
                continue
            node = URIRef(f"{entity_iri(m.network)}/membership/{m.member.split('/', 1)[1]}")
            member = self.reg.entities[m.member]
            network = self.reg.entities[m.network]
            self.add(node, RDF.type, CTOC.Membership)
            self.labels(node, f"{member.name_en} in {network.name_en}",
                        f"{network.name_zh or network.name_en}成员：{member.name_zh or member.name_en}")
            self.add(node, ORG.member, member.iri)
            self.add(node, ORG.organization, network.iri)
            if m.note:
                self.add(node, CTOC.memberNote, lit_zh(m.note))
            self.add(node, CTOC.statedIn, unit(m.unit))

    def citation_target(self, target: str, key: str) -> URIRef:
        if target == "provision":
            parts = key.split("/")  # convention/<slug>/art_N[/para_M]
            paragraph = int(parts[3].removeprefix("para_")) if len(parts) > 3 else None
            return self.article(parts[1], int(parts[2].removeprefix("art_")), paragraph)
        if target == "act":
            return act_iri(key) if key in self.reg.acts else self.unknown_act(key)
        return self.document(key.removeprefix("doc/"), None, None, None)

    def unknown_act(self, key: str) -> URIRef:
        kind, body, number = key.split("/")
        return self.act(key, {"kind": kind, "symbol": number.replace("-", "/"), "body": body}, registry=None)

    def meeting(self, doc: Document, iris: ReportIris, x: Extraction) -> URIRef:
        """The meeting the report is about, its days, place, agenda items and joint discussions."""
        body_key = x.report_body or "body/unknown"
        body = self.reg.entities.get(body_key)
        first = min(doc.header.meeting_dates).isoformat()
        node = iri(f"meeting/{body_key.split('/', 1)[1]}/{first}")
        self.add(node, RDF.type, CTOC.Meeting)
        name_en = body.name_en if body else doc.header.body
        name_zh = body.name_zh if body and body.name_zh else doc.header.body
        if x.meeting_number:
            self.labels(node, f"{name_en}, meeting {x.meeting_number} ({first})",
                        f"{name_zh}第{x.meeting_number}次会议")
            self.add(node, CTOC.meetingNumber, Literal(x.meeting_number, datatype=XSD.integer))
        else:
            self.labels(node, f"{name_en}, meeting of {first}", f"{name_zh}会议（{first}）")
        if body:
            self.add(node, CTOC.meetingOf, body.iri)
        if x.sittings:
            self.add(node, CTOC.numberOfSittings, Literal(x.sittings, datatype=XSD.integer))
        self.add(iris.work, CTOC.reportOf, node)
        dateline = next(u for u in doc.units if u.role and u.role.value == "dateline")
        self.add(node, CTOC.statedIn, iris.unit(dateline.eid))
        place = self.place(doc.header.place)
        for day in doc.header.meeting_dates:
            day_node = URIRef(f"{node}/{day.isoformat()}")
            self.add(node, CTOC.hasMeetingDay, day_node)
            self.add(day_node, RDF.type, CTOC.MeetingDay)
            self.labels(day_node, f"{name_en}, {day.isoformat()}", f"{name_zh}，{day.year}年{day.month}月{day.day}日")
            self.add(day_node, CTOC.date, Literal(day.isoformat(), datatype=XSD.date))
            if place:
                self.add(day_node, CTOC.place, place)
            self.add(day_node, CTOC.statedIn, iris.unit(dateline.eid))
        if place:
            self.add(node, CTOC.place, place)
        for item, units in sorted(x.agenda_items.items()):
            item_node = self.agenda_item(node, item)
            for eid in sorted(set(units)):
                self.add(item_node, CTOC.statedIn, iris.unit(eid))
        for row in doc.units:
            if row.cells:
                for symbol in row.cells.symbols:
                    document = self.document(symbol, None, row.cells.title, None)
                    self.add(document, CTOC.listedIn, iris.unit(row.eid))
                    for item in row.cells.agenda_items:
                        item_node = self.agenda_item(node, item)
                        self.add(document, CTOC.issuedForAgendaItem, item_node)
                        self.add(item_node, CTOC.statedIn, iris.unit(row.eid))
        for joint in x.joint_meetings:
            joint_node = URIRef(f"{node}/joint/{joint.dates[0].isoformat()}")
            self.add(joint_node, RDF.type, CTOC.JointMeeting)
            names = [self.reg.entities[b] for b in joint.bodies]
            self.labels(joint_node, "Joint meeting of " + " and ".join(b.name_en for b in names),
                        "和".join(b.name_zh or b.name_en for b in names) + "联合讨论")
            for b in names:
                self.add(joint_node, CTOC.meetingOf, b.iri)
            for day in joint.dates:
                self.add(joint_node, CTOC.date, Literal(day.isoformat(), datatype=XSD.date))
            self.add(joint_node, CTOC.partOfMeeting, node)
            self.add(joint_node, CTOC.statedIn, iris.unit(joint.unit))
        return node

    def agenda_item(self, meeting: URIRef, written: str) -> URIRef:
        key = re.sub(r"[()（）\s]", "", written)
        shown = re.sub(r"^(\d+)([a-z])$", r"\1(\2)", key)
        node = URIRef(f"{meeting}/agenda/{key}")
        self.add(node, RDF.type, CTOC.AgendaItem)
        self.add(node, ELI.number, Literal(shown))
        self.labels(node, f"Agenda item {shown}", f"议程项目{shown}")
        self.add(meeting, CTOC.hasAgendaItem, node)
        return node

    def place(self, name_zh: str) -> URIRef | None:
        for entity in self.reg.entities.values():
            if entity.kind == "place" and name_zh in entity.surface_forms:
                return entity.iri
        return None

    def mention(self, doc: Document, iris: ReportIris, span: Span, mention_type: str, key: str | None) -> None:
        unit = doc.unit(span.unit)
        start, end = unit.source_span(span.start, span.end)
        node = URIRef(f"{iris.unit(span.unit)}/mention/{start}-{end}")
        self.add(node, RDF.type, CTOC.Mention)
        self.labels(node, f"Mention of {span.text}", f"提及：{span.text}")
        self.add(node, CTOC.mentionIn, iris.unit(span.unit))
        self.add(node, CTOC.mentionText, lit_zh(span.text))
        self.add(node, CTOC.mentionType, Literal(mention_type))
        if key:
            self.add(node, CTOC.refersTo, entity_iri(key))
        self.anchor(doc, iris, node, span)

    def anchor(self, doc: Document, iris: ReportIris, node: URIRef, span: Span) -> None:
        """Web Annotation anchor for a stretch of a unit: the exact quote and its source offsets."""
        start, end = doc.unit(span.unit).source_span(span.start, span.end)
        add_anchor(self.g, node, iris.source, doc.source.text, start, end)
