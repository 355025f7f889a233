"""Stage 4 (what a report says, once per report, after its document layer): the facts extracted from one
report as RDF. Every fact points to the unit it was stated in (ctoc:statedIn, ctoc:raisedIn,
ctoc:mentionIn, ctoc:citingUnit) and, for stretches of text, to its Web Annotation anchor."""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import ORG, RDF, RDFS, XSD

from kg_build.extract.facts import Extraction, Span
from kg_build.iris import act_iri, concept_iri, entity_iri, iri
from kg_build.map.document import ReportIris, add_anchor
from kg_build.map.reference import ReferenceMapper
from kg_build.map.writer import GraphWriter, slug
from kg_build.namespaces import CTOC, ELI
from kg_build.read.model import Document


class FactsMapper(GraphWriter):
    """Adds what one report says (mentions, citations, outcomes, questions, statements, participations,
    memberships, the meeting) to a graph, each fact pointing to the unit it was read from."""

    def __init__(self, reference: ReferenceMapper) -> None:
        super().__init__(reference.g)
        self.ref, self.reg = reference, reference.reg

    def labels(self, node: URIRef, en: str, zh: str) -> None:
        """Label a node once: a work's second expression names the same facts, in other words."""
        if node not in self.ref.labelled and not any(
                isinstance(o, Literal) and o.language in ("en", "zh") for o in self.g.objects(node, RDFS.label)):
            super().labels(node, en, zh)

    def map_facts(self, doc: Document, iris: ReportIris, x: Extraction) -> None:
        meeting = self.meeting(doc, iris, x) if doc.header.meeting_dates else None
        unit = iris.unit
        for mention in x.mentions:
            self.mention(doc, iris, mention.span, mention.mention_type, mention.key)
        for citation in x.citations:
            target = self.citation_target(citation.target, citation.key)
            node = URIRef(f"{unit(citation.span.unit)}/citation/{slug(citation.key)}")
            self.add(node, RDF.type, CTOC.Citation)
            self.add(node, CTOC.citingUnit, unit(citation.span.unit))
            self.add(node, CTOC.cited, target)
            self.add(node, CTOC.citationText, Literal(citation.span.text, lang=iris.language))
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
            if meeting:
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
            if meeting:
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
                self.add(node, CTOC.memberNote, Literal(m.note, lang=iris.language))
            self.add(node, CTOC.statedIn, unit(m.unit))

    def citation_target(self, target: str, key: str) -> URIRef:
        if target == "provision":
            parts = key.split("/")  # convention/<slug>/art_N[/para_M]
            paragraph = int(parts[3].removeprefix("para_")) if len(parts) > 3 else None
            return self.ref.article(parts[1], int(parts[2].removeprefix("art_")), paragraph)
        if target == "act":
            return act_iri(key) if key in self.reg.acts else self.unknown_act(key)
        return self.ref.document(key.removeprefix("doc/"), None, None, None)

    def unknown_act(self, key: str) -> URIRef:
        kind, body, number = key.split("/")
        return self.ref.act(key, {"kind": kind, "symbol": number.replace("-", "/"), "body": body}, registry=None)

    def meeting(self, doc: Document, iris: ReportIris, x: Extraction) -> URIRef:
        """The meeting the report is about, its days, place, agenda items and joint discussions."""
        body_key = x.report_body or "body/unknown"
        body = self.reg.entities.get(body_key)
        first = min(doc.header.meeting_dates).isoformat()
        node = iri(f"meeting/{body_key.split('/', 1)[1]}/{first}")
        self.add(node, RDF.type, CTOC.Meeting)
        name_en = body.name_en if body else doc.header.body
        name_zh = body.name_zh if body and body.name_zh else doc.header.body
        if x.session_number and not x.meeting_number:
            self.labels(node, f"{name_en}, session {x.session_number} ({first})",
                        f"{name_zh}第{x.session_number}届会议")
        elif x.meeting_number:
            self.labels(node, f"{name_en}, meeting {x.meeting_number} ({first})",
                        f"{name_zh}第{x.meeting_number}次会议")
            self.add(node, CTOC.meetingNumber, Literal(x.meeting_number, datatype=XSD.integer))
        else:
            self.labels(node, f"{name_en}, meeting of {first}", f"{name_zh}会议（{first}）")
        if body:
            self.add(node, CTOC.meetingOf, body.iri)
        if x.session_number:
            self.add(node, CTOC.meetingSession, Literal(x.session_number, datatype=XSD.integer))
        if x.sittings:
            self.add(node, CTOC.numberOfSittings, Literal(x.sittings, datatype=XSD.integer))
        self.add(iris.work, CTOC.reportOf, node)
        dateline = next(u for u in doc.units if u.role and u.role.value == "dateline")
        self.add(node, CTOC.statedIn, iris.unit(dateline.eid))
        if x.meeting_start and x.meeting_end:
            self.add(node, CTOC.startDate, Literal(x.meeting_start.isoformat(), datatype=XSD.date))
            self.add(node, CTOC.endDate, Literal(x.meeting_end.isoformat(), datatype=XSD.date))
        place = self.place(doc.header.place)
        for day in x.meeting_days:  # only the days the dateline names one by one, none of a range
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
                    document = self.ref.document(symbol, None, row.cells.title, None)
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

    def place(self, name: str) -> URIRef | None:
        """The place of places.yaml that the dateline names, by any of its names (维也纳, Vienna)."""
        for entity in self.reg.entities.values():
            if entity.kind == "place" and name in {*entity.surface_forms, *(form for form, _ in entity.names)}:
                return entity.iri
        return None

    def mention(self, doc: Document, iris: ReportIris, span: Span, mention_type: str, key: str | None) -> None:
        unit = doc.unit(span.unit)
        start, end = unit.source_span(span.start, span.end)
        node = URIRef(f"{iris.unit(span.unit)}/mention/{start}-{end}")
        self.add(node, RDF.type, CTOC.Mention)
        entity = self.reg.entities.get(key) if key else None
        named = f"Mention of {entity.name_en}" if entity else f"Mention of a name no registry holds ({span.unit})"
        self.labels(node, named, f"提及：{span.text}")  # the English label names, never quotes, the Chinese text
        self.add(node, CTOC.mentionIn, iris.unit(span.unit))
        self.add(node, CTOC.mentionText, Literal(span.text, lang=iris.language))
        self.add(node, CTOC.mentionType, Literal(mention_type))
        if key:
            self.add(node, CTOC.refersTo, entity_iri(key))
        self.anchor(doc, iris, node, span)

    def anchor(self, doc: Document, iris: ReportIris, node: URIRef, span: Span) -> None:
        """Web Annotation anchor for a stretch of a unit: the exact quote and its source offsets."""
        start, end = doc.unit(span.unit).source_span(span.start, span.end)
        add_anchor(self.g, node, iris.source, doc.source.text, start, end, iris.language)
