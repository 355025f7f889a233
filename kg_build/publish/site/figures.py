"""The pictures on a page, as HTML figures around the SVG of charts.py: a report's citations per article and speaking
States per regional group, a network's members. Names come from the graph's labels in Chinese and English; each
picture links to the pages of what it shows."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SKOS

from kg_build.namespaces import CTOC, ELI
from kg_build.publish.site.charts import Bar, Label, bar_chart, member_diagram
from kg_build.publish.site.data import SiteData
from kg_build.publish.site.kinds import KINDS
from kg_build.publish.site.paths import Segments, iri_href
from kg_build.publish.site.tallies import citations_per_article, network_members, speakers_per_group

CITATION_COLOUR, SPEAKER_COLOUR = "#3b6fb6", "#8a6d3b"
NETWORK_CLASSES = next(kind.classes for kind in KINDS if kind.slug == "networks")


def label(data: SiteData, node: URIRef, folder: Segments) -> Label:
    """A node's Chinese and English labels (the Chinese slot falls back to any label) and the link to its page."""
    zh = data.own_label(node, "zh") or data.label(node)
    return Label(zh, data.own_label(node, "en") or "", iri_href(folder, str(node)) or "")


def article_label(data: SiteData, article: URIRef, folder: Segments) -> Label:
    """An article as a chart names it: the convention's shortest Chinese name with the article number, and its
    English rdfs:label (UNTOC article 18), not its title."""
    own = label(data, article, folder)
    english = sorted(str(n) for n in data.values(article, RDFS.label) if isinstance(n, Literal) and n.language == "en")
    own = Label(own.zh, english[0] if english else own.en, own.link)
    number, convention = data.value(article, ELI.number), data.value(article, ELI.is_part_of)
    names = [str(n) for n in data.values(convention, SKOS.altLabel) if isinstance(n, Literal) and n.language == "zh"]
    names += [n for n in [data.own_label(convention, "zh")] if n] if convention is not None else []
    if number is None or not names:
        return own
    return Label(f"《{min(names, key=lambda n: (len(n), n))}》第{number}条", own.en, own.link)


def figure(css_id: str, zh: str, en: str, picture: str) -> str:
    return (f'<figure class="chart" id="{css_id}"><figcaption>{zh} <span lang="en" class="en">{en}</span>'
            f"</figcaption>\n{picture}\n</figure>")


def empty(zh: str, en: str) -> str:
    return f'<p class="empty">{zh} <span lang="en">{en}</span></p>'


def report_figures(data: SiteData, report: URIRef, folder: Segments) -> str:
    """A report's two bar charts: citations per cited article, States that spoke per regional group."""
    cited = [Bar(article_label(data, a, folder), n) for a, n in citations_per_article(data, report)]
    spoke = [Bar(label(data, g, folder), n) for g, n in speakers_per_group(data, report)]
    cite_title = Label("各条款被引用次数", "Citations per article")
    speak_title = Label("各区域组发言国家数", "States that spoke, per regional group")
    parts = [
        figure("chart-citations", cite_title.zh, cite_title.en, bar_chart(cite_title, cited, CITATION_COLOUR))
        if cited else empty("本报告未引用公约条款。", "The report cites no article."),
        figure("chart-speakers", speak_title.zh, speak_title.en, bar_chart(speak_title, spoke, SPEAKER_COLOUR))
        if spoke else empty("本报告中没有国家发言。", "No State speaks in the report."),
    ]
    return ('<section id="charts"><h2>图表 <span lang="en" class="en">Charts</span></h2>\n'
            + "\n".join(parts) + "\n</section>")


def is_network(data: SiteData, node: URIRef) -> bool:
    return any(data.is_a(node, cls) for cls in (*NETWORK_CLASSES, CTOC.Network))


def network_figure(data: SiteData, network: URIRef, folder: Segments) -> str:
    """A network's members as a diagram (the network on the left, each member linked); "" for other pages."""
    members = network_members(data, network)
    if not members and not is_network(data, network):
        return ""
    title = Label("成员", "Members")
    if members:
        centre = label(data, network, folder)
        diagram = member_diagram(title, Label(centre.zh, centre.en),
                                 [label(data, m, folder) for m in members])
        shown = figure("chart-members", f"{title.zh}（{len(members)}）", f"{title.en} ({len(members)})", diagram)
    else:
        shown = empty("报告未列出该网络的成员。", "The report lists no members of this network.")
    return f'<section id="members"><h2>成员 <span lang="en" class="en">Members</span></h2>\n{shown}\n</section>'
