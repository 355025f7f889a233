"""The kinds of resource a reader browses (reports, articles, bodies, ...), by the class list of TERMS.md,
widened by every subclass the ontology declares, so new subclasses join their kind without code changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from kg_build.namespaces import CTOC


@dataclass(frozen=True)
class Kind:
    """A browsable kind: URL slug, English and Chinese names, and the classes whose members belong to it."""

    slug: str
    label_en: str
    label_zh: str
    classes: tuple[URIRef, ...]


def _classes(names: str) -> tuple[URIRef, ...]:
    return tuple(CTOC[name] for name in names.split())


KINDS: tuple[Kind, ...] = (
    Kind("reports", "Reports", "报告", _classes("Report")),
    Kind("articles", "Articles", "条款", _classes("Article")),
    Kind("bodies", "Bodies", "机构", _classes(
        "Body ConferenceOfParties WorkingGroup ExpertGroup Commission Secretariat SecretariatUnit Office")),
    Kind("networks", "Networks", "网络", _classes(
        "Network JudicialNetwork JudicialPlatform ProsecutorsAssociation LawEnforcementCentre")),
    Kind("states", "States", "国家", _classes("State")),
    Kind("people", "People", "人员", _classes("Person")),
    Kind("recommendations", "Recommendations", "建议", _classes("Recommendation")),
)


def subclass_closure(classes: Iterable[URIRef], ontology: Graph | None) -> set[URIRef]:
    """`classes` and every class the ontology declares below them (rdfs:subClassOf, transitively)."""
    found = set(classes)
    if ontology is None:
        return found
    frontier = list(found)
    while frontier:
        for sub in ontology.subjects(RDFS.subClassOf, frontier.pop()):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                frontier.append(sub)
    return found
