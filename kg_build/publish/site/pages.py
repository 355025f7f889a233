"""The pages of the static linked-data site ``site/``: a page for every IRI under ``id/`` at the path its IRI
implies, each beside its data (``index.ttl``, ``index.jsonld``, ``index.nt``, ``index.rdf``), index pages per kind
and a home page, each rendered from `SiteData` lookups (kg_build/publish/site/writer.py writes them all)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from kg_build.namespaces import CTOC
from kg_build.publish.site.data import SiteData, as_written
from kg_build.publish.site.figures import network_figure, report_figures
from kg_build.publish.site.html import bilingual, document, esc, highlight, node_html
from kg_build.publish.site.kinds import KINDS, Kind
from kg_build.publish.site.lang import in_lang, lang_attribute, marked
from kg_build.publish.site.listing import kind_members
from kg_build.publish.site.pagedata import jsonld, ntriples, rdf_xml, sorted_triples, turtle
from kg_build.publish.site.paths import Segments, href, iri_href, segments, split_fragment
from kg_build.publish.site.reading import ReportReader, anchor

SITE_DIR = "site"
PAGE_FILES = ("index.html", "index.ttl", "index.jsonld", "index.nt", "index.rdf")
FOLD_AFTER = 12  # incoming links of one property beyond this many are folded into <details>


def properties_table(data: SiteData, node: URIRef, folder: Segments) -> str:
    """Every property of `node` with its values (linked), rdf:type first."""
    by_property: dict[URIRef, list[Node]] = {}
    for p, o in data.outgoing(node):
        by_property.setdefault(p, []).append(o)
    if not by_property:
        return '<p class="empty">没有属性 <span lang="en">No properties</span></p>'
    order = sorted(by_property, key=lambda p: (p != RDF.type, data.curie(p)))
    rows = []
    for p in order:
        values = sorted(by_property[p], key=lambda o: value_order(data, o))
        cells = [node_html(o, data, folder) for o in values]
        cell = cells[0] if len(cells) == 1 else "<ul>" + "".join(f"<li>{c}</li>" for c in cells) + "</ul>"
        rows.append(f"<tr><th>{property_name(data, p, folder)}</th><td>{cell}</td></tr>")
    return '<table class="props">\n' + "\n".join(rows) + "\n</table>"


def value_order(data: SiteData, node: Node) -> tuple[int, int, str]:
    """Literals first, then text units in reading order (ctoc:order), then everything else by label."""
    if isinstance(node, Literal):
        return (0, 0, str(node))
    order = data.value(node, CTOC.order)
    if isinstance(order, Literal) and str(order).isdigit():
        return (1, int(str(order)), str(node))
    return (2, 0, data.label(node))


def property_name(data: SiteData, prop: URIRef, folder: Segments) -> str:
    """A property's CURIE with its labels from the ontology when it has them."""
    names = bilingual(data.own_label(prop, "zh"), data.own_label(prop, "en"))
    curie = f'<a href="{esc(prop)}" rel="external" class="iri">{esc(data.curie(prop))}</a>'
    return f"{names}<br>{curie}" if names else curie


def incoming_section(data: SiteData, subjects: list[URIRef], folder: Segments) -> str:
    """Links to this page's IRIs from elsewhere, grouped by property."""
    groups: dict[URIRef, list[Node]] = {}
    for s in subjects:
        for x, p in data.incoming(s):
            groups.setdefault(p, []).append(x)
    if not groups:
        return ""
    parts = []
    for p in sorted(groups, key=data.curie):
        items = "".join(f"<li>{node_html(x, data, folder)}</li>" for x in sorted(set(groups[p]), key=str))
        head = f"{property_name(data, p, folder)} ({len(set(groups[p]))})"
        if len(set(groups[p])) > FOLD_AFTER:
            parts.append(f"<details><summary>{head}</summary><ul>{items}</ul></details>")
        else:
            parts.append(f"<h3>{head}</h3><ul>{items}</ul>")
    return ('<section id="incoming"><h2>引用此项 <span lang="en" class="en">Incoming links</span></h2>\n'
            + "\n".join(parts) + "\n</section>")


def sentence_of(text: str, words: str | None) -> str:
    """The sentence(s) of `text` holding `words` (the whole text when they are not found)."""
    if not words or words not in text:
        return text
    sentences, start = [], 0
    for i, ch in enumerate(text):
        if ch in "。；！？;":
            sentences.append((start, i + 1))
            start = i + 1
    if start < len(text):
        sentences.append((start, len(text)))
    at = text.find(words)
    chosen = [(a, b) for a, b in sentences if a < at + len(words) and b > at]
    return text[chosen[0][0]:chosen[-1][1]].strip() if chosen else text


def source_section(data: SiteData, node: URIRef, folder: Segments) -> str:
    """For a fact read from the report: the source sentence, the words highlighted, linked to its unit."""
    blocks = []
    for unit in data.source_units(node):
        text = data.text(unit) or ""
        words = data.quote(node)
        sentence = sentence_of(text, words)
        shown = highlight(sentence, []) if not words else sentence_html(sentence, words)
        report = data.report_of(unit)
        links = [f'<a href="{esc(iri_href(folder, str(unit)) or unit)}">{in_lang(*data.tagged_label(unit))}</a>']
        if report is not None:
            in_report = href(folder, segments(str(report)), fragment=anchor(report, unit))
            links.append(f'<a href="{esc(in_report)}">在报告中阅读 <span lang="en">read in the report</span></a>')
        blocks.append(f'<blockquote class="source" lang="zh">{shown}</blockquote><p>— {" · ".join(links)}</p>')
    if not blocks:
        return ""
    return ('<section id="source"><h2>出处 <span lang="en" class="en">Source sentence</span></h2>\n'
            + "\n".join(blocks) + "\n</section>")


def sentence_html(sentence: str, words: str) -> str:
    at = sentence.find(words)
    if at < 0:
        return esc(sentence)
    end = at + len(words)
    return f"{esc(sentence[:at])}<mark>{esc(sentence[at:end])}</mark>{esc(sentence[end:])}"


def unit_in_report(data: SiteData, node: URIRef, folder: Segments) -> str:
    """For a text unit: a link to the same place in the readable report."""
    report = data.report_of(node)
    if report is None or data.text(node) is None:
        return ""
    link = href(folder, segments(str(report)), fragment=anchor(report, node))
    return f'<p><a href="{esc(link)}">在报告全文中阅读 <span lang="en">Read in the full report</span></a></p>'


def resource_page(data: SiteData, page: str, subjects: list[URIRef]) -> str:
    """The HTML page of one IRI and its hash IRIs."""
    node = URIRef(page)
    folder = segments(page)
    zh, en = data.own_label(node, "zh"), data.own_label(node, "en")
    title = zh or en or data.label(node)
    types = " ".join(node_html(t, data, folder) for t in sorted(data.types(node), key=str))
    title_lang = "zh" if zh else "en" if en else data.tagged_label(node)[1]
    body = [f'<h1{lang_attribute(title_lang)}>{marked(title, title_lang)}</h1>']
    if en and zh:
        body.append(f'<p class="en" lang="en">{marked(en, "en")}</p>')
    body.append(f'<p class="iri">{esc(page)}</p>')
    if types:
        body.append(f'<p class="types">类型 <span lang="en" class="en">Type</span>: {types}</p>')
    body.append(source_section(data, node, folder))
    body.append(unit_in_report(data, node, folder))
    body.append(network_figure(data, node, folder))
    if data.is_a(node, CTOC.Report):
        body.append(report_figures(data, node, folder))
        body.append(ReportReader(data, node, folder).render())
    body.append('<section id="properties"><h2>属性 <span lang="en" class="en">Properties</span></h2>\n'
                + properties_table(data, node, folder) + "\n</section>")
    for sub in subjects:
        fragment = split_fragment(str(sub))[1]
        if fragment and data.outgoing(sub):
            body.append(f'<section class="fragment" id="{esc(fragment)}"><h3>#{esc(fragment)} '
                        f'<span class="iri">{esc(sub)}</span></h3>\n{properties_table(data, sub, folder)}\n</section>')
    body.append(incoming_section(data, subjects, folder))
    return document(title, "\n".join(b for b in body if b), folder)


def kind_page(data: SiteData, kind: Kind, found: list[URIRef]) -> str:
    """The list of one kind's members (an empty-state message while it has none)."""
    folder: Segments = ("kinds", kind.slug)
    body = [f"<h1>{bilingual(kind.label_zh, kind.label_en)}</h1>"]
    if not found:
        english = f'<span lang="en">No {esc(kind.label_en.lower())} in the graph yet.</span>'
        body.append(f'<p class="empty">图谱中尚无{esc(kind.label_zh)}。 {english}</p>')
    else:
        items = []
        for member in found:
            link = node_html(member, data, folder)
            units = data.source_units(member)
            text = data.text(units[0]) if units else None
            extra = f'<br><span lang="zh">{esc(text)}</span>' if text else ""
            items.append(f"<li>{link}{extra}</li>")
        count = f'<p>共 {len(found)} 项 <span lang="en" class="en">{len(found)} in all</span></p>'
        body.append(f"{count}<ul>\n" + "\n".join(items) + "\n</ul>")
    return document(f"{kind.label_zh} {kind.label_en}", "\n".join(body), folder, alternates=False)


def home_page(data: SiteData, counts: dict[str, int], info: dict[str, Any]) -> str:
    """The site's front page: what the dataset is, its kinds with counts, and its reports."""
    folder: Segments = ()
    body = [f'<h1 lang="zh">{esc(info.get("title_zh", "CTOC-KG"))}</h1>',
            f'<p class="en" lang="en">{esc(info.get("title_en", ""))}</p>',
            f'<p lang="zh">{esc(info.get("description_zh", ""))}</p>',
            f'<p lang="en" class="en">{esc(" ".join(str(info.get("description_en", "")).split()))}</p>',
            "<h2>浏览 <span lang=\"en\" class=\"en\">Browse</span></h2><ul>"]
    for kind in KINDS:
        link = href(folder, ("kinds", kind.slug))
        name = bilingual(kind.label_zh, kind.label_en)
        body.append(f'<li><a href="{esc(link)}">{name}</a> ({counts[kind.slug]})</li>')
    body.append("</ul>")
    endpoint = esc(info.get("sparql_endpoint", ""))
    body.append('<h2>数据 <span lang="en" class="en">Data</span></h2>\n'
                "<p>每个页面旁边都有 Turtle、JSON-LD 和 N-Triples 格式的数据。 "
                '<span lang="en" class="en">Every page has its data beside it as Turtle, JSON-LD and N-Triples; '
                "whole dumps and <code>void.ttl</code> are in the build folder. <code>ctoc-kg serve</code> serves "
                "this site with content negotiation and a SPARQL endpoint at <code>/sparql</code> beside it "
                f"(by default <code>{endpoint}</code>).</span></p>")
    body.append('<p><a href="query/index.html">查询编辑器 <span lang="en" class="en">Query editor</span></a></p>')
    body.append('<p><a href="examples/ctoc-kg-tour.html" lang="en">A notebook tour of the Python API</a></p>')
    return document(str(info.get("title_zh", "CTOC-KG")), "\n".join(body), folder, alternates=False)


def page_rows(data: SiteData, subjects: list[URIRef]) -> list[tuple[str, ox.Triple]]:
    """The data of one page, sorted: what its IRIs say and what is said about them (symmetric description)."""
    triples = []
    for s in subjects:
        data.outgoing(s)  # the page shows these triples: noted as its input
        data.incoming(s)
        node = ox.NamedNode(str(s))
        triples += [ox.Triple(q.subject, q.predicate, as_written(q.predicate, q.object))
                    for q in data.store.quads_for_pattern(node, None, None, ox.DefaultGraph())]
        triples += [q.triple for q in data.store.quads_for_pattern(None, None, node, ox.DefaultGraph())]
    return sorted_triples(triples)


DATA_WRITERS = {"index.ttl": turtle, "index.jsonld": jsonld, "index.nt": ntriples, "index.rdf": rdf_xml}


def page_files(data: SiteData, page: str, subjects: list[URIRef]) -> dict[str, str]:
    """The five files of one resource page: its HTML and its data as Turtle, JSON-LD, N-Triples and RDF/XML."""
    rows = page_rows(data, subjects)
    return {"index.html": resource_page(data, page, subjects)} | {
        name: write(rows) for name, write in DATA_WRITERS.items()}


def page_file(data: SiteData, page: str, subjects: list[URIRef], name: str) -> str:
    """One of the five files of a resource page (`name` one of PAGE_FILES)."""
    if name == "index.html":
        return resource_page(data, page, subjects)
    return DATA_WRITERS[name](page_rows(data, subjects))


def kind_files(data: SiteData, ontology: Graph | None, info: dict[str, Any]) -> dict[str, str]:
    """The kind listings and the home page, by their path under the site."""
    files, counts = {}, {}
    for kind in KINDS:
        found = kind_members(data.store, kind, ontology)
        counts[kind.slug] = len(found)
        files[f"kinds/{kind.slug}/index.html"] = kind_page(data, kind, found)
    files["index.html"] = home_page(data, counts, info)
    return files
