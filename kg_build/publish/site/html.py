"""HTML building blocks of the static site: the page shell with its inline stylesheet, escaped literals,
linked values and highlighted spans. Every piece of data passes through ``esc``; no JavaScript, and
nothing is loaded from another host."""

from __future__ import annotations

import html
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg_build.publish.site.data import SiteData
from kg_build.publish.site.kinds import KINDS
from kg_build.publish.site.lang import in_lang, marked
from kg_build.publish.site.paths import Segments, href, iri_href

CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","WenQuanYi Micro Hei","PingFang SC",
"Microsoft YaHei",system-ui,sans-serif;line-height:1.65;margin:0;color:#1d1d1f;background:#fff}
header.site{background:#123a6b;color:#fff;padding:.5rem 1rem}
header.site a{color:#fff;margin-right:1rem;text-decoration:none}
header.site a:hover{text-decoration:underline}
header.site .en{color:#c9d6ea}
main{max-width:62rem;margin:0 auto;padding:1rem 1.2rem 3rem}
h1{font-size:1.6rem;margin:.6rem 0 .2rem}
.en{color:#555}
.iri{font-family:ui-monospace,monospace;font-size:.85em;word-break:break-all;color:#555}
.types a{margin-right:.6rem}
table.props{border-collapse:collapse;width:100%}
table.props th,table.props td{border-top:1px solid #ddd;padding:.3rem .5rem;vertical-align:top;text-align:left}
table.props th{width:15rem;font-weight:normal;color:#444}
table.props ul{margin:0;padding-left:1.1rem}
.dt{font-size:.75em;color:#888;margin-left:.3rem}
blockquote.source{border-left:4px solid #c9a227;margin:.5rem 0;padding:.3rem .8rem;background:#fffbea}
mark,a.hl{background:#ffe58a;color:inherit}
a.hl-mention{background:#e3ecfb}
section.fragment{border:1px solid #e4e4e4;border-radius:.4rem;padding:.2rem .8rem;margin:.8rem 0}
.reading .unit{margin:.45rem 0}
.reading .num{font-weight:bold;margin-right:.45rem;text-decoration:none}
.reading .unit.recommendation{background:#eaf6ea;border-left:4px solid #2e8b57;padding:.1rem .5rem}
.reading .unit.citation{border-right:4px solid #3b6fb6}
.reading ol.items{list-style:none;padding-left:1.6rem}
.reading .header-line{color:#444;margin:.1rem 0}
.reading .footnote{font-size:.9em;color:#444}
.badge{display:inline-block;font-size:.75em;line-height:1.4;padding:0 .45rem;border-radius:.6rem;background:#2e8b57;
color:#fff;text-decoration:none;margin-left:.3rem}
.badge.cited{background:#3b6fb6}
.badge.conclusion{background:#6b5b95}
.badge.statement,.badge.participation,.badge.question{background:#8a6d3b}
.badge.agenda-item,.badge.meeting,.badge.meeting-day,.badge.joint-meeting,.badge.membership{background:#5f6b7a}
.empty{color:#777;font-style:italic}
figure.chart{margin:.8rem 0}
figure.chart figcaption{font-weight:bold;margin-bottom:.3rem}
figure.chart svg{display:block;max-width:100%;height:auto}
svg.chart a:hover rect,svg.chart a:focus rect{stroke:#123a6b;stroke-width:2}
svg.chart a:hover text{text-decoration:underline}
footer{max-width:62rem;margin:0 auto;padding:1rem 1.2rem;color:#666;font-size:.85em;border-top:1px solid #ddd}
""".strip()


def esc(text: object) -> str:
    """Escape text for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def bilingual(zh: str | None, en: str | None) -> str:
    """A Chinese name followed by its English one (each marked with its language)."""
    parts = []
    if zh:
        parts.append(f'<span lang="zh">{esc(zh)}</span>')
    if en and en != zh:
        parts.append(f'<span lang="en" class="en">{marked(en, "en")}</span>')
    return " ".join(parts)


def literal_html(lit: Literal, data: SiteData) -> str:
    """A literal with its language (as a ``lang`` attribute) or datatype (as a small note)."""
    lang = f' lang="{esc(lit.language)}"' if lit.language else ""
    note = f'<span class="dt">{esc(data.curie(lit.datatype))}</span>' if lit.datatype else ""
    note += f'<span class="dt">@{esc(lit.language)}</span>' if lit.language else ""
    return f"<span{lang}>{marked(str(lit), lit.language or '')}</span>{note}"


def node_html(node: Node, data: SiteData, folder: Segments) -> str:
    """A value: a relative link for the dataset's IRIs, an outside link for others, or a literal."""
    if isinstance(node, Literal):
        return literal_html(node, data)
    if isinstance(node, URIRef):
        link = iri_href(folder, str(node))
        if link is not None:
            zh, en = data.own_label(node, "zh"), data.own_label(node, "en")
            text = bilingual(zh, en) if (zh or en) else in_lang(*data.tagged_label(node))
            return f'<a href="{esc(link)}">{text}</a>'
        return f'<a href="{esc(node)}" rel="external">{esc(data.curie(node))}</a>'
    return esc(node)


@dataclass(frozen=True)
class Span:
    """Words to highlight in a text, with where they link to and a CSS class."""

    words: str
    link: str
    css: str
    title: str


def highlight(text: str, spans: list[Span]) -> str:
    """`text` escaped, each span's first free occurrence wrapped in a link (longest words first)."""
    taken: list[tuple[int, int, Span]] = []
    for span in sorted(spans, key=lambda s: (-len(s.words), s.words, s.link)):
        start = 0
        while span.words and (at := text.find(span.words, start)) >= 0:
            end = at + len(span.words)
            if all(end <= a or at >= b for a, b, _ in taken):
                taken.append((at, end, span))
                break
            start = at + 1
    out, pos = [], 0
    for at, end, span in sorted(taken, key=lambda t: t[0]):
        out.append(esc(text[pos:at]))
        out.append(f'<a class="hl {esc(span.css)}" href="{esc(span.link)}" title="{esc(span.title)}">'
                   f"{esc(text[at:end])}</a>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def document(title: str, body: str, folder: Segments, alternates: bool = True) -> str:
    """A complete page: UTF-8, ``lang="zh"``, inline stylesheet, navigation to the home and kind pages."""
    nav = [f'<a href="{esc(href(folder, ()))}">CTOC-KG</a>']
    nav += [f'<a href="{esc(href(folder, ("kinds", k.slug)))}">{bilingual(k.label_zh, k.label_en)}</a>'
            for k in KINDS]
    links = ""
    footer = ""
    if alternates:
        formats = (("index.ttl", "text/turtle", "Turtle"), ("index.jsonld", "application/ld+json", "JSON-LD"),
                   ("index.nt", "application/n-triples", "N-Triples"))
        links = "".join(f'<link rel="alternate" type="{t}" href="{f}">' for f, t, _ in formats)
        footer = ('<footer>数据 <span lang="en">Data</span>: '
                  + " · ".join(f'<a href="{f}" type="{t}">{n}</a>' for f, t, n in formats) + "</footer>")
    return (f'<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n{links}\n<style>\n{CSS}\n</style>\n</head>\n<body>\n"
            f'<header class="site"><nav>{" ".join(nav)}</nav></header>\n<main>\n{body}\n</main>\n{footer}\n'
            "</body>\n</html>\n")
