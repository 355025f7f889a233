"""The site's pictures (issue 13, item 8): each report page charts its citations per article and its speaking States
per regional group, each network page draws its members; the SVG is well-formed, accessible (role=img, title,
desc), self-contained, deterministic, and its numbers and links are what the report and the expected query results
say (queries/expected/*.csv)."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg_build.namespaces import ID
from kg_build.publish.site.charts import BAR_SPAN, Bar, Label, bar_chart, member_diagram
from kg_build.publish.site.data import SiteData
from kg_build.publish.site.figures import network_figure, report_figures
from kg_build.publish.site.paths import segments
from tests.conftest import QUERIES

SVG = "{http://www.w3.org/2000/svg}"
REPORT = "report/wg-international-cooperation/2012-10-15"


def expected(name: str) -> list[dict[str, str]]:
    with (QUERIES / "expected" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def svgs(page: Path) -> list[ET.Element]:
    """Every inline SVG of a page, parsed as XML (a parse error fails the test)."""
    return [ET.fromstring(found) for found in re.findall(r"<svg .*?</svg>", page.read_text(encoding="utf-8"), re.S)]


def figure_svg(page: Path, figure_id: str) -> ET.Element:
    """The SVG inside the page's figure with that id."""
    found = re.findall(rf'<figure class="chart" id="{figure_id}">.*?(<svg .*?</svg>)', page.read_text("utf-8"), re.S)
    assert len(found) == 1, (page, figure_id, len(found))
    return ET.fromstring(found[0])


def bars(svg: ET.Element) -> list[tuple[str, str, int, int]]:
    """(Chinese label, English label, count shown, bar length) of each bar of a chart."""
    rows = []
    for group in svg.iter(f"{SVG}g"):
        label, english = ["".join(t.itertext()) for t in group.iter(f"{SVG}text")][:2]
        count = "".join(list(group.iter(f"{SVG}text"))[-1].itertext())
        rows.append((label, english, int(count), int(group.find(f"{SVG}rect").get("width"))))  # type: ignore[union-attr]
    return rows


def links(svg: ET.Element, page: Path) -> list[Path]:
    """The files the SVG's links point to, resolved from the page's folder."""
    return [Path(unquote(urljoin(page.as_uri(), a.get("href", ""))[len("file://"):]))
            for a in svg.iter(f"{SVG}a")]


@pytest.fixture(scope="module")
def site(built_dist: Path) -> Path:
    return built_dist / "site"


@pytest.fixture(scope="module")
def report_page(site: Path) -> Path:
    return site / "id" / REPORT / "index.html"


def test_every_picture_is_well_formed_accessible_and_self_contained(site: Path) -> None:
    pages = [p for p in sorted(site.rglob("index.html")) if "<svg" in p.read_text(encoding="utf-8")]
    assert len(pages) >= 2
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for svg in svgs(page):
            assert svg.get("role") == "img", page
            assert svg.find(f"{SVG}title") is not None and "".join(svg.find(f"{SVG}title").itertext()), page
            assert svg.find(f"{SVG}desc") is not None, page
            assert not [e for e in svg.iter() if e.tag in (f"{SVG}script", f"{SVG}style", f"{SVG}image",
                                                           f"{SVG}foreignObject")], page
            assert not [v for e in svg.iter() for k, v in e.attrib.items() if k.startswith("on")], page
            for path in links(svg, page):
                assert path.is_file(), (page, path)
        assert not re.findall(r"https?://(?!www\.w3\.org/2000/svg)[^\"<]*", "".join(re.findall(r"<svg .*?</svg>",
                                                                                                 text, re.S)))


def test_citation_chart_counts_the_citations_of_each_article(report_page: Path) -> None:
    rows = bars(figure_svg(report_page, "chart-citations"))
    counts = {row["article"]: int(row["citations"]) for row in expected("article_citation_counts")}
    assert counts["18"] == 4
    shown = {re.fullmatch(r"《有组织犯罪公约》第(\d+)条", zh).group(1): (en, n, length)  # type: ignore[union-attr]
             for zh, en, n, length in rows}
    assert {number: n for number, (_, n, _) in shown.items()} == counts
    assert shown["18"][0] == "UNTOC article 18"
    most = max(counts.values())
    assert all(length == round(BAR_SPAN * n / most) for _, n, length in shown.values())
    assert list(shown) == sorted(shown, key=int)


def test_speaker_chart_counts_the_states_that_spoke_per_regional_group(report_page: Path) -> None:
    svg = figure_svg(report_page, "chart-speakers")
    rows = bars(svg)
    assert [(zh, en, n) for zh, en, n, _ in rows] == [(row["group_zh"], row["group_en"], int(row["speaking"]))
                                                      for row in expected("speakers_per_regional_group")]
    assert "".join(svg.find(f"{SVG}desc").itertext()).startswith("非洲国家组：3")  # type: ignore[union-attr]


def test_each_network_page_draws_the_members_the_report_lists(site: Path, kg: Graph) -> None:
    listed: dict[str, set[str]] = {}
    for row in expected("network_members"):
        listed.setdefault(row["network_en"], set()).add(row["member_en"])
    networks = sorted(s for s in kg.subjects(RDFS.label, None) if isinstance(s, URIRef)
                      and str(s).startswith(f"{ID}network/") and str(s).count("/") == str(ID).count("/") + 1)
    assert len(networks) >= 8
    for network in networks:
        name = next(str(o) for o in kg.objects(network, RDFS.label) if isinstance(o, Literal) and o.language == "en")
        page = site.joinpath(*segments(str(network))) / "index.html"
        members = [s for s in svgs(page) if "members" in s.get("class", "").split()]
        if name not in listed:
            assert not members and "报告未列出该网络的成员" in page.read_text(encoding="utf-8"), page
            continue
        (svg,) = members
        shown = {"".join(t.itertext()) for a in svg.iter(f"{SVG}a") for t in a.iter(f"{SVG}text") if t.get("lang")}
        assert shown == listed[name], page
        iso3 = {row["member_iso3"] for row in expected("network_members") if row["network_en"] == name}
        assert {p.parent.name for p in links(svg, page)} == iso3
    assert "European Judicial Network" not in listed  # the seed report lists no member of the EJN


def test_the_pictures_are_the_same_bytes_each_time(kg: Graph, report_page: Path) -> None:
    data = SiteData.build(kg)
    report = URIRef(f"{ID}{REPORT}")
    network = URIRef(f"{ID}network/ioc-platform")
    folder = segments(str(report))
    assert report_figures(data, report, folder) == report_figures(SiteData.build(kg), report, folder)
    assert network_figure(data, network, segments(str(network))) == network_figure(
        SiteData.build(kg), network, segments(str(network)))
    assert report_figures(data, report, folder).split("<svg", 1)[1][:200] in report_page.read_text(encoding="utf-8")


def test_the_writer_escapes_labels_and_stays_well_formed() -> None:
    title = Label("标题 <&>", "Title <&>")
    chart_svg = bar_chart(title, [Bar(Label("甲 & 乙", "A & B", "../x/index.html?a=1&b=2"), 3),
                                  Bar(Label("丙", "C"), 0)], "#123456")
    root = ET.fromstring(chart_svg)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text == "标题 <&>"  # type: ignore[union-attr]
    assert [a.get("href") for a in root.iter(f"{SVG}a")] == ["../x/index.html?a=1&b=2"]
    widths = [int(r.get("width", "0")) for r in root.iter(f"{SVG}rect")]
    assert widths == [BAR_SPAN, 1]
    diagram = ET.fromstring(member_diagram(title, Label("网", "Net"), [Label("成员", "Member", "a/index.html")]))
    assert [a.get("href") for a in diagram.iter(f"{SVG}a")] == ["a/index.html"]
    assert len(list(diagram.iter(f"{SVG}path"))) == 1
