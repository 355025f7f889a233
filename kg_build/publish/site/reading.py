"""The report as a reader sees it: units in ``ctoc:order``, chapters and sections as headings, items
nested under their paragraph, with what the graph says about each unit shown on it: recommendations and
conclusions as badges and a green bar, citations and mentions as highlighted words linking to their target."""

from __future__ import annotations

import re
from collections import defaultdict

from rdflib import Literal, URIRef

from kg_build.namespaces import CTOC, ELI
from kg_build.publish.site.data import SOURCE_PROPERTIES, SiteData
from kg_build.publish.site.html import Span, esc, highlight
from kg_build.publish.site.lang import in_lang
from kg_build.publish.site.paths import Segments, iri_href

HEADING_LEVEL = {"Chapter": 3, "Annex": 3, "Section": 4, "Subsection": 5}
NUMBER_FORMAT = {"Item": "({})", "Footnote": "{}", "HeaderLine": ""}
CELL_PROPERTIES = (CTOC.symbolCell, CTOC.agendaItemCell)
SPAN_TARGETS = {"Mention": CTOC.refersTo, "Citation": CTOC.cited}


def css_name(local: str) -> str:
    """``HeaderLine`` -> ``header-line``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", local).lower()


def _order(data: SiteData, unit: URIRef) -> tuple[int, str]:
    found = data.value(unit, CTOC.order)
    return (int(found.toPython()) if isinstance(found, Literal) and str(found).isdigit() else 1 << 30, str(unit))


def unit_tree(data: SiteData, report: URIRef) -> dict[URIRef, list[URIRef]]:
    """Children of each unit of the report (the report itself is the root), in reading order."""
    units = [s for s, p in data.incoming(report) if p == CTOC.inReport and isinstance(s, URIRef)]
    members = set(units)
    children: dict[URIRef, list[URIRef]] = defaultdict(list)
    for unit in units:
        parent = data.value(unit, ELI.is_part_of)
        children[parent if parent in members else report].append(unit)  # type: ignore[index]
    for kids in children.values():
        kids.sort(key=lambda u: _order(data, u))
    return children


def anchor(report: URIRef, unit: URIRef) -> str:
    """The element id of a unit on its report's page: its path under the report (``para_3/item_a``)."""
    return str(unit)[len(str(report)) + 1:]


class ReportReader:
    """Renders one report's text for a page in `folder`."""

    def __init__(self, data: SiteData, report: URIRef, folder: Segments) -> None:
        self.data, self.report, self.folder = data, report, folder
        self.children = unit_tree(data, report)

    def link(self, iri: URIRef) -> str:
        return iri_href(self.folder, str(iri)) or str(iri)

    def render(self) -> str:
        body = "\n".join(self.unit(u) for u in self.children.get(self.report, []))
        return (f'<section class="reading" id="text"><h2>报告全文 <span lang="en" class="en">Full text</span></h2>\n'
                f"{body}\n</section>")

    def annotations(self, unit: URIRef) -> tuple[list[str], list[Span], list[str]]:
        """Badges, highlighted spans and CSS classes for what the graph says about `unit`."""
        badges, spans, classes = [], [], []
        for fact, prop in self.data.incoming(unit):
            if prop not in SOURCE_PROPERTIES or not isinstance(fact, URIRef):
                continue
            kind = self.data.local_type(fact)
            title, title_lang = self.data.tagged_label(fact)
            words = self.data.quote(fact)
            target = self.data.value(fact, SPAN_TARGETS[kind]) if kind in SPAN_TARGETS else None
            if words:
                link = self.link(target if isinstance(target, URIRef) else fact)
                spans.append(Span(words, link, f"hl-{css_name(kind or 'fact')}", title))
            else:
                shown = in_lang(title, title_lang)
                badges.append(f'<a class="badge {css_name(kind)}" href="{esc(self.link(fact))}">{shown}</a>')
            if kind:
                classes.append(css_name(kind))
        for cited in self.data.values(unit, CTOC.cites):
            if isinstance(cited, URIRef):
                label = in_lang(*self.data.tagged_label(cited))
                badges.append(f'<a class="badge cited" href="{esc(self.link(cited))}">{label}</a>')
                classes.append("citation")
        return sorted(set(badges)), spans, sorted(set(classes))

    def line(self, unit: URIRef, kind: str) -> str:
        """Number, text (with highlights), footnote markers and badges of one unit."""
        badges, spans, _ = self.annotations(unit)
        number = self.data.value(unit, ELI.number)
        shape = NUMBER_FORMAT.get(kind, "{}.")
        shown = shape.format(number) if number is not None and shape else "¶"
        num = f'<a class="num" href="{esc(self.link(unit))}">{esc(shown)}</a>'
        cells = [esc(c) for p in CELL_PROPERTIES for c in self.data.values(unit, p)]
        prefix = f'<span class="cells">{" · ".join(cells)}</span> ' if cells else ""
        notes = "".join(f'<sup><a href="#{esc(anchor(self.report, fn))}">{esc(self.data.value(fn, ELI.number) or "")}'
                        f"</a></sup>" for fn in self.data.values(unit, CTOC.hasFootnote) if isinstance(fn, URIRef))
        text = highlight(self.data.text(unit) or "", spans)
        return f"{num}{prefix}<span>{text}</span>{notes}{''.join(badges)}"

    def unit(self, unit: URIRef) -> str:
        kind = self.data.local_type(unit)
        _, _, extra = self.annotations(unit)
        css = " ".join(["unit", css_name(kind), *extra]).strip()
        uid = esc(anchor(self.report, unit))
        kids = self.children.get(unit, [])
        inner = "\n".join(self.unit(k) for k in kids)
        if kids and all(self.data.local_type(k) == "Item" for k in kids):
            inner = f'<ol class="items">\n{inner}\n</ol>'
        if kind in HEADING_LEVEL:
            level = HEADING_LEVEL[kind]
            heading = f"<h{level}>{self.line(unit, kind)}</h{level}>"
            return f'<section class="{css}" id="{uid}">\n{heading}\n{inner}\n</section>'
        if kind == "Item":
            return f'<li class="{css}" id="{uid}">{self.line(unit, kind)}\n{inner}</li>'
        return f'<div class="{css}" id="{uid}">\n<p>{self.line(unit, kind)}</p>\n{inner}\n</div>'
