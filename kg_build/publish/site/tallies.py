"""What the site's pictures count, from the SiteData indexes the pages use: a report's citations per cited article,
its speaking States per regional group, and a network's members."""

from __future__ import annotations

from collections import defaultdict

from rdflib import Literal, URIRef
from rdflib.namespace import ORG
from rdflib.term import Node

from kg_build.namespaces import CTOC, ELI
from kg_build.publish.site.data import SiteData


def report_units(data: SiteData, report: URIRef) -> list[URIRef]:
    """The text units of a report (everything ``ctoc:inReport`` it)."""
    return [s for s, p in data.incoming(report) if p == CTOC.inReport and isinstance(s, URIRef)]


def facts_in(data: SiteData, report: URIRef, prop: URIRef, cls: URIRef) -> set[URIRef]:
    """The facts of class `cls` read from a unit of the report through `prop` (citingUnit, statedIn, ...)."""
    return {fact for unit in report_units(data, report) for fact, p in data.incoming(unit)
            if p == prop and isinstance(fact, URIRef) and data.is_a(fact, cls)}


def article_of(data: SiteData, provision: Node | None) -> URIRef | None:
    """The article a cited provision is or is part of (following ``eli:is_part_of`` up), else None."""
    seen: set[Node] = set()
    while isinstance(provision, URIRef) and provision not in seen:
        if data.is_a(provision, CTOC.Article):
            return provision
        seen.add(provision)
        provision = data.value(provision, ELI.is_part_of)
    return None


def article_number(data: SiteData, article: URIRef) -> tuple[int, str]:
    number = data.value(article, ELI.number)
    text = str(number) if isinstance(number, Literal) else ""
    return (int(text) if text.isdigit() else 1 << 30, str(article))


def citations_per_article(data: SiteData, report: URIRef) -> list[tuple[URIRef, int]]:
    """How many ``ctoc:Citation``s of the report cite each article (or one of its paragraphs), by article number."""
    found: dict[URIRef, set[URIRef]] = defaultdict(set)
    for citation in facts_in(data, report, CTOC.citingUnit, CTOC.Citation):
        for cited in data.values(citation, CTOC.cited):
            if (article := article_of(data, cited)) is not None:
                found[article].add(citation)
    return [(article, len(found[article])) for article in sorted(found, key=lambda a: article_number(data, a))]


def speakers_per_group(data: SiteData, report: URIRef) -> list[tuple[URIRef, int]]:
    """How many States spoke in the report (a ``ctoc:Statement`` with them as ``ctoc:speaker``) per regional group,
    ordered by the group's English name."""
    found: dict[URIRef, set[Node]] = defaultdict(set)
    for statement in facts_in(data, report, CTOC.statedIn, CTOC.Statement):
        for speaker in data.values(statement, CTOC.speaker):
            if data.is_a(speaker, CTOC.State):
                for group in data.values(speaker, CTOC.regionalGroup):
                    if isinstance(group, URIRef):
                        found[group].add(speaker)
    return [(group, len(found[group])) for group in sorted(found, key=lambda g: (data.label(g, "en"), str(g)))]


def network_members(data: SiteData, network: URIRef) -> list[URIRef]:
    """The members of a network (``org:member`` of each ``org:Membership`` whose ``org:organization`` it is), ordered
    by English name."""
    found = {member for membership, p in data.incoming(network) if p == ORG.organization
             for member in data.values(membership, ORG.member) if isinstance(member, URIRef)}
    return sorted(found, key=lambda m: (data.label(m, "en"), str(m)))
