"""The static site: a page for every IRI of the graph at the path its IRI implies, beside its data; the
report readable in order with its recommendations and citations marked; every internal link resolves;
nothing is loaded from another host; text is escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg_build.namespaces import BASE, CTOC, ELI, ID
from kg_build.publish.site.data import graph_store
from kg_build.publish.site.writer import write_site
from tests.conftest import SEED
from tests.test_dumps import paragraph_text, report_iri


class Page(HTMLParser):
    """Links, element ids, resource references and text of one HTML file."""

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.loads: list[tuple[str, str]] = []  # (tag, url) of things a browser would fetch
        self.tags: list[str] = []
        self.text: list[str] = []
        self.html_lang = ""
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        if tag == "html":
            self.html_lang = a.get("lang", "")
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("img", "script", "iframe", "audio", "video", "source", "embed") and a.get("src"):
            self.loads.append((tag, a["src"]))
        if tag == "link" and a.get("rel") != "alternate":
            self.loads.append((tag, a.get("href", "")))
        if tag == "link" and a.get("rel") == "alternate":
            self.links.append(a["href"])

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page_path(site: Path, iri: str) -> Path:
    """Where the page of an IRI should be: its path under the base, decoded, fragment dropped."""
    rest = iri.split("#", 1)[0][len(BASE):]
    return site.joinpath(*[unquote(s) for s in rest.split("/")]) / "index.html"


@pytest.fixture(scope="module")
def site(built_dist: Path) -> Path:
    return built_dist / "site"


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[Path, Page]:
    return {p: Page(p) for p in sorted(site.rglob("*.html"))}


def test_every_iri_has_its_page_and_data(site: Path, kg: Graph) -> None:
    iris = {str(t) for triple in kg for t in triple if isinstance(t, URIRef) and str(t).startswith(str(ID))}
    assert iris
    for iri in sorted(iris):
        page = page_path(site, iri)
        assert page.is_file(), iri
        for name in ("index.ttl", "index.jsonld", "index.nt"):
            assert (page.parent / name).is_file(), (iri, name)


def test_page_data_describes_its_iri(site: Path, kg: Graph) -> None:
    unit = URIRef(f"{report_iri()}/para_1")
    folder = page_path(site, str(unit)).parent
    expected = set(kg.triples((unit, None, None)))
    quote = URIRef(f"{unit}#quote-zh")
    expected |= set(kg.triples((quote, None, None)))
    for name, fmt in (("index.ttl", "turtle"), ("index.jsonld", "json-ld"), ("index.nt", "nt")):
        data = Graph().parse(folder / name, format=fmt)
        assert expected <= set(data), name
        assert (unit, ELI.is_part_of, None) in data


def test_paragraph_page_shows_its_text(site: Path, pages: dict[Path, Page]) -> None:
    page = pages[page_path(site, f"{report_iri()}/para_1")]
    assert page.html_lang == "zh"
    assert paragraph_text(1) in "".join(page.text)
    assert "quote-zh" in page.ids  # the hash IRI {unit}#quote-zh is shown on its base page


def test_report_reads_in_order(site: Path, pages: dict[Path, Page]) -> None:
    """Paragraph numbers in the report page follow the file's order; chapter titles are headings."""
    report_page = site / page_path(site, str(report_iri())).relative_to(site)
    html = report_page.read_text(encoding="utf-8")
    in_file = [int(n) for n in re.findall(r"^(\d+)\. ", SEED.read_text(encoding="utf-8"), re.M)]
    on_page = [int(n) for n in re.findall(r'<div class="unit paragraph[^"]*" id="para_(\d+)"', html)]
    assert on_page == in_file
    chapters = re.findall(r"^([一二三四五六七八九十]+)\. (.+)$", SEED.read_text(encoding="utf-8"), re.M)
    assert chapters
    for number, title in chapters:
        assert re.search(rf"<h3><a class=\"num\"[^>]*>{number}\.</a><span>{re.escape(title.strip())}</span>", html)
    item = re.search(r'id="para_3">.*?<ol class="items">\s*<li class="unit item[^"]*" id="para_3/item_a">', html, re.S)
    assert item, "items are nested under their paragraph"


def test_all_internal_links_resolve(site: Path, pages: dict[Path, Page]) -> None:
    checked = 0
    for path, page in pages.items():
        base = path.as_uri()
        for link in page.links:
            if urlsplit(link).scheme in ("http", "https", "mailto"):
                continue
            target = urlsplit(urljoin(base, link))
            file = Path(unquote(target.path))
            assert file.is_file(), f"{path.relative_to(site)}: {link}"
            assert site in file.parents, f"{path.relative_to(site)}: {link} leaves the site"
            if target.fragment and file.suffix == ".html":
                assert unquote(target.fragment) in pages[file].ids, f"{path.relative_to(site)}: {link}"
            checked += 1
    assert checked > len(pages)


def test_nothing_loads_from_anywhere(pages: dict[Path, Page], site: Path) -> None:
    """No scripts, no stylesheets, images or fonts fetched: each page stands alone. The one exception, the query
    editor (tests/test_query_editor.py), loads only its own scripts from beside it."""
    editor = site / "query" / "index.html"
    assert [tag for tag, src in pages.pop(editor).loads if tag == "script" and (editor.parent / src).is_file()]
    for path, page in pages.items():
        assert page.loads == [], path
        assert "script" not in page.tags, path
        assert "style" in page.tags, path


def test_kind_pages(site: Path, pages: dict[Path, Page], kg: Graph) -> None:
    reports = pages[site / "kinds/reports/index.html"]
    assert any(unquote(link).endswith(page_path(site, str(report_iri())).relative_to(site).as_posix())
               for link in reports.links)
    for kind in ("reports", "articles", "bodies", "networks", "states", "people", "recommendations"):
        assert (site / "kinds" / kind / "index.html").is_file()
    home = pages[site / "index.html"]
    assert all(any(f"kinds/{k}/index.html" in link for link in home.links) for k in ("states", "people"))


def test_conneg_rules_written(site: Path) -> None:
    assert "RewriteRule" in (site / ".htaccess").read_text(encoding="utf-8")
    assert "map $http_accept" in (site / "nginx.conf").read_text(encoding="utf-8")


def synthetic_graph(kg: Graph) -> tuple[Graph, dict[str, URIRef]]:
    """The seed graph plus facts on paragraph 3(a): a recommendation, a mention of a body whose label needs
    escaping, a citation; the mention's words are taken from the unit's own text."""
    g = Graph()
    for triple in kg:
        g.add(triple)
    unit = URIRef(f"{report_iri()}/para_3/item_a")
    text = str(kg.value(unit, CTOC.text))
    words = text[2:6]
    nodes = {"unit": unit, "rec": URIRef(f"{unit}/recommendation-test"), "mention": URIRef(f"{unit}/mention/test"),
             "body": ID["body/test-body"], "cited": ID["convention/test/art_1"]}
    g.add((nodes["rec"], RDF.type, CTOC.Recommendation))
    g.add((nodes["rec"], RDFS.label, Literal("测试建议", lang="zh")))
    g.add((nodes["rec"], CTOC.statedIn, unit))
    g.add((nodes["mention"], RDF.type, CTOC.Mention))
    g.add((nodes["mention"], CTOC.mentionIn, unit))
    g.add((nodes["mention"], CTOC.mentionText, Literal(words)))
    g.add((nodes["mention"], CTOC.refersTo, nodes["body"]))
    g.add((nodes["body"], RDF.type, CTOC.WorkingGroup))
    g.add((nodes["body"], RDFS.label, Literal("<script>alert('x')</script> & co", lang="en")))
    g.add((unit, CTOC.cites, nodes["cited"]))
    return g, nodes


def test_facts_are_shown_on_the_report_and_their_pages(kg: Graph, tmp_path: Path) -> None:
    graph, n = synthetic_graph(kg)
    write_site(graph_store(graph), tmp_path)
    site = tmp_path / "site"
    report = page_path(site, str(report_iri())).read_text(encoding="utf-8")
    li = re.search(r'<li class="([^"]*)" id="para_3/item_a">(.*?)</li>', report, re.S)
    assert li is not None
    assert "recommendation" in li.group(1).split() and "citation" in li.group(1).split()
    words = str(graph.value(n["mention"], CTOC.mentionText))
    assert re.search(r'<a class="hl hl-mention" href="[^"]*id/body/test-body/index.html"[^>]*>'
                     + re.escape(words) + "</a>", li.group(2))
    assert "测试建议" in li.group(2)
    rec_page = page_path(site, str(n["rec"])).read_text(encoding="utf-8")
    assert str(graph.value(n["unit"], CTOC.text)) in rec_page  # the source sentence of the recommendation
    mention_page = page_path(site, str(n["mention"])).read_text(encoding="utf-8")
    assert f"<mark>{words}</mark>" in mention_page
    body_page = page_path(site, str(n["body"])).read_text(encoding="utf-8")
    assert "<script>" not in body_page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; co" in body_page
    assert "mention/test/index.html" in body_page  # incoming link from the mention
    bodies = (site / "kinds/bodies/index.html").read_text(encoding="utf-8")
    assert "id/body/test-body/index.html" in bodies


def test_kind_without_members_says_so(tmp_path: Path) -> None:
    graph = Graph()
    graph.add((ID["state/ECU"], RDF.type, CTOC.State))
    graph.add((ID["state/ECU"], RDFS.label, Literal("厄瓜多尔", lang="zh")))
    write_site(graph_store(graph), tmp_path)
    people = (tmp_path / "site/kinds/people/index.html").read_text(encoding="utf-8")
    assert "图谱中尚无人员" in people and "No people in the graph yet." in people
    states = (tmp_path / "site/kinds/states/index.html").read_text(encoding="utf-8")
    assert "厄瓜多尔" in states and "../../id/state/ECU/index.html" in states
