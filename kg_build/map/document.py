"""Stage 4 (document layer): map a parsed report to RDF with ELI, UNDO and Web Annotation terms.

Every unit gets its own IRI under the report (the work), its number, order and part-of links, and from each
expression (language) its text (``@zh``, ``@en``) and a text anchor: the source file (with SHA-256) and
selectors giving the exact quote and offsets, ``{unit}#anchor-{lang}``. A report's texts in two languages
are one work: the unit-level facts (kind, number, order, line, labels) come from its primary expression (the
Chinese one when there is one), the text and anchors from every expression.
No blank nodes: selectors have hash IRIs under their unit, so the output is stable across runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from kg_build.errors import InputError
from kg_build.extract.kinds import KIND_CLASSES, document_kind
from kg_build.iris import doc_iri, iri, undocs_url
from kg_build.namespaces import CTOC, ELI, EU_LANG, OA, bind_prefixes
from kg_build.paths import DATA_DIR
from kg_build.read.discover import ReportFile
from kg_build.read.format_rules import format_rules
from kg_build.read.model import Document, Kind, Unit
from kg_build.reference.registry import load_registry

QUOTE_CONTEXT = 32  # characters of prefix and suffix kept by each TextQuoteSelector

UNIT_LABELS: dict[Kind, tuple[str, str]] = {
    Kind.HEADER_LINE: ("Header line {n}", "报头第{n}行"),
    Kind.CHAPTER: ("Chapter {n}", "第{n}章"),
    Kind.SECTION: ("Section {n}", "第{n}节"),
    Kind.SUBSECTION: ("Subsection {n}", "第{n}小节"),
    Kind.PARAGRAPH: ("Paragraph {n}", "第{n}段"),
    Kind.ITEM: ("Paragraph {p}({i})", "第{p}段({i})项"),
    Kind.FOOTNOTE: ("Footnote {n}", "脚注{n}"),
    Kind.ANNEX: ("Annex", "附件"),
    Kind.ANNEX_ROW: ("Annex row {n}", "附件第{n}行"),
}


@dataclass(frozen=True)
class ReportIris:
    """The IRIs of one report text: the work, its expression in the text's language and the source file."""

    work: URIRef
    expression: URIRef
    source: URIRef
    language: str = "zh"

    def unit(self, eid: str) -> URIRef:
        return URIRef(f"{self.work}/{eid}")


def report_iris(doc: Document, report: ReportFile) -> ReportIris:
    """Key a report by its symbol when one is known, else by body slug and first meeting date."""
    symbol = doc.header.symbol or report.meta.symbol
    if symbol:
        work = doc_iri(symbol)
    elif report.meta.body:
        work = iri(f"report/{report.meta.body}/{min(doc.header.meeting_dates).isoformat()}")
    else:
        raise InputError(report.path, 0, "the report has no symbol: name its body slug in a metadata file "
                         f"{report.path.with_suffix('.yaml').name} ('body: <slug>')")
    lang = doc.language
    if doc.header.language and language_code(report, doc.header.language) != lang:
        raise InputError(report.path, 0, f"header: the language line says {doc.header.language!r} but the file "
                         f"name says {lang!r} (NAME.{lang}.txt)")
    return ReportIris(work, URIRef(f"{work}/{lang}"), iri(f"source/{report.path.name}"), lang)


def language_code(report: ReportFile, name: str) -> str:
    """ISO 639-1 code of a header's language name (``Chinese`` → ``zh``)."""
    for entry in load_registry("languages"):
        if entry["name_en"] == name:
            return str(entry["iso639_1"])
    raise InputError(report.path, 0, f"header: unknown language {name!r} (see data/registries/languages.yaml)")


def eu_language(name: str) -> URIRef | None:
    for entry in load_registry("languages"):
        if entry["name_en"] == name:
            return EU_LANG[entry["eu_authority"]]
    return None


def eu_language_of_code(code: str) -> URIRef | None:
    for entry in load_registry("languages"):
        if entry["iso639_1"] == code:
            return EU_LANG[entry["eu_authority"]]
    return None


def map_document(doc: Document, report: ReportFile, iris: ReportIris, graph: Graph | None = None,
                 primary: Document | None = None) -> Graph:
    """Add the document layer of one report text to `graph` (a new graph when None) and return it; with
    `primary` (the work's primary expression, another language), only what this language adds: its title, its
    expression and source, each unit's text and anchor (units the primary lacks in full)."""
    g = bind_prefixes(graph if graph is not None else Graph())
    _map_report(g, doc, report, iris, primary is None)
    last_order = max((u.order for u in primary.units), default=0) if primary else 0
    for unit in doc.units:
        shared = primary is not None and primary.has_unit(unit.eid)
        if not shared:
            if primary is not None:
                last_order += 1
                unit = replace(unit, order=last_order)
            _map_unit(g, doc, iris, unit)
        _map_text(g, doc, iris, unit)
    return g


def _map_report(g: Graph, doc: Document, report: ReportFile, iris: ReportIris, primary: bool) -> None:
    h, work, expr, src = doc.header, iris.work, iris.expression, iris.source
    lang = iris.language
    g.add((work, RDF.type, CTOC.Report))
    if kind := document_kind(doc):
        g.add((work, RDF.type, CTOC[KIND_CLASSES[kind]]))
    g.add((work, DCTERMS.title, Literal(h.title, lang=lang)))
    g.add((work, RDFS.label, Literal(" ".join(h.title.split()) if lang != "zh" else h.title, lang=lang)))
    if report.meta.title_en and lang == "zh":
        g.add((work, RDFS.label, Literal(" ".join(report.meta.title_en.split()), lang="en")))
    if h.symbol or report.meta.symbol:
        symbol = h.symbol or report.meta.symbol or ""
        g.add((work, CTOC.symbol, Literal(symbol)))
        g.add((work, RDFS.seeAlso, undocs_url(symbol)))
    if h.issued:
        g.add((work, DCTERMS.issued, Literal(h.issued.isoformat(), datatype=XSD.date)))
    g.add((work, CTOC.distribution, Literal(h.distribution)))
    if original := eu_language(h.original_language):
        g.add((work, CTOC.originalLanguage, original))
    if h.meeting_dates:
        g.add((work, CTOC.firstMeetingDate, Literal(min(h.meeting_dates).isoformat(), datatype=XSD.date)))
    g.add((work, ELI.is_realized_by, expr))
    g.add((expr, RDF.type, CTOC.ReportExpression))
    g.add((expr, ELI.realizes, work))
    g.add((expr, RDFS.label, Literal(f"{h.title}（{h.language or lang}）" if lang == "zh"
                                     else f"{' '.join(h.title.split())} ({lang})", lang=lang)))
    if language := eu_language_of_code(lang):
        g.add((expr, ELI.language, language))
    g.add((expr, CTOC.sourceFile, src))
    g.add((src, RDF.type, CTOC.SourceFile))
    g.add((src, RDFS.label, Literal(report.path.name)))
    g.add((src, DCTERMS.identifier, Literal(_relative(report))))
    g.add((src, CTOC.sha256, Literal(doc.source.sha256)))
    g.add((src, CTOC.byteSize, Literal(doc.source.byte_size, datatype=XSD.integer)))
    g.add((src, CTOC.encoding, Literal(doc.source.encoding)))
    g.add((src, DCTERMS.format, Literal("text/plain")))


def _relative(report: ReportFile) -> str:
    """The source path relative to the data folder when it lies there (stable across checkouts)."""
    try:
        return report.path.resolve().relative_to(DATA_DIR.parent).as_posix()
    except ValueError:
        return report.path.name


def _map_unit(g: Graph, doc: Document, iris: ReportIris, unit: Unit) -> None:
    node = iris.unit(unit.eid)
    parent = iris.unit(unit.parent) if unit.parent else iris.work
    g.add((node, RDF.type, CTOC[unit.kind.value]))
    g.add((node, ELI.is_part_of, parent))
    g.add((parent, ELI.has_part, node))
    g.add((node, CTOC.inReport, iris.work))
    if unit.number:
        g.add((node, ELI.number, Literal(unit.number)))
    g.add((node, CTOC.order, Literal(unit.order, datatype=XSD.integer)))
    g.add((node, CTOC.line, Literal(unit.line, datatype=XSD.integer)))
    en, zh = UNIT_LABELS[unit.kind]
    p = doc.unit(unit.parent).number if unit.parent else ""
    latin = display_number(doc, unit, latin=True)
    g.add((node, RDFS.label, Literal(en.format(n=latin, p=p, i=unit.number), lang="en")))
    g.add((node, RDFS.label, Literal(zh.format(n=display_number(doc, unit), p=p, i=unit.number), lang="zh")))
    if unit.role:
        g.add((node, CTOC.headerRole, Literal(unit.role.value)))
    if unit.healed:
        g.add((node, CTOC.healedBreaks, Literal(len(unit.pieces) - 1, datatype=XSD.integer)))
    for marker in unit.footnote_markers:
        g.add((node, CTOC.hasFootnote, iris.unit(f"fn_{marker}")))
    if unit.cells:
        for symbol in unit.cells.symbols:
            g.add((node, CTOC.symbolCell, Literal(symbol)))
        for item in unit.cells.agenda_items:
            g.add((node, CTOC.agendaItemCell, Literal(item)))


def _map_text(g: Graph, doc: Document, iris: ReportIris, unit: Unit) -> None:
    """What one expression says of a unit: its text in the expression's language and its anchor."""
    node = iris.unit(unit.eid)
    g.add((node, CTOC.text, Literal(unit.text, lang=iris.language)))
    g.add((node, PROV.wasDerivedFrom, iris.source))
    add_anchor(g, node, iris.source, doc.source.text, unit.start, unit.end, iris.language)


def display_number(doc: Document, unit: Unit, latin: bool = False) -> str:
    """How a unit is cited: ``37``, ``37(a)``, ``三.D`` (``3.D`` when `latin`); the number alone elsewhere."""
    if unit.kind is Kind.ITEM and unit.parent:
        return f"{doc.unit(unit.parent).number}({unit.number})"
    if unit.kind in (Kind.SECTION, Kind.SUBSECTION) and unit.parent:
        return f"{display_number(doc, doc.unit(unit.parent), latin)}.{unit.number}"
    if unit.kind is Kind.CHAPTER and latin:
        return str(format_rules(doc.language).numeral(unit.number))
    return unit.number


def add_anchor(g: Graph, node: URIRef, source: URIRef, text: str, start: int, end: int, lang: str) -> None:
    """Web Annotation anchor of `node` in one expression (``{node}#anchor-{lang}``): the exact quote (with
    context) and code-point offsets into that expression's source file."""
    anchor, quote_sel, position = (URIRef(f"{node}#{part}-{lang}") for part in ("anchor", "quote", "position"))
    g.add((node, CTOC.textAnchor, anchor))
    g.add((anchor, RDF.type, OA.SpecificResource))
    g.add((anchor, OA.hasSource, source))
    g.add((anchor, OA.hasSelector, quote_sel))
    g.add((anchor, OA.hasSelector, position))
    g.add((quote_sel, RDF.type, OA.TextQuoteSelector))
    g.add((quote_sel, OA.exact, Literal(text[start:end])))
    g.add((quote_sel, OA.prefix, Literal(text[max(0, start - QUOTE_CONTEXT) : start])))
    g.add((quote_sel, OA.suffix, Literal(text[end : end + QUOTE_CONTEXT])))
    g.add((position, RDF.type, OA.TextPositionSelector))
    g.add((position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
    g.add((position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
