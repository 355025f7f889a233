"""Ontology documentation: pyLODE's page and the Graphviz class diagram are made from ontology/ctoc.ttl
(every class, every subclass edge, object properties from domain to range); a missing ontology or a
missing `dot` is reported and the rest still written."""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from kg_build.namespaces import CTOC
from kg_build.publish import html_lang, ontodoc
from tests.conftest import ONTOLOGY

MINI = """
@prefix ctoc: <https://w3id.org/ctoc-kg/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/ctoc-kg/ontology> a owl:Ontology ; dcterms:title "Mini ontology"@en .
ctoc:Report a owl:Class .
ctoc:Meeting a owl:Class .
ctoc:AgendaItem a owl:Class .
ctoc:TextUnit a owl:Class .
ctoc:Paragraph a owl:Class ; rdfs:subClassOf ctoc:TextUnit .
ctoc:inActivity a owl:ObjectProperty ; rdfs:domain ctoc:Report ;
    rdfs:range [ a owl:Class ; owl:unionOf ( ctoc:Meeting ctoc:AgendaItem ) ] .
"""


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY / "ctoc.ttl", format="turtle")


def test_pylode_page_of_the_ontology(built_dist: Path, ontology: Graph) -> None:
    page = (built_dist / "ontology/index.html").read_text(encoding="utf-8")
    onto = next(ontology.subjects(RDF.type, OWL.Ontology))
    title = str(next(ontology.objects(onto, DCTERMS.title)))
    assert title in page
    classes = [c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(CTOC))]
    assert classes and all(str(c) in page for c in classes)


def test_class_diagram_has_every_class_and_subclass_edge(built_dist: Path, ontology: Graph) -> None:
    dot = (built_dist / "ontology/classes.dot").read_text(encoding="utf-8")
    svg = (built_dist / "ontology/classes.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef):
            assert f'"{cls}" [label=' in dot, cls
            assert f'xlink:href="{cls}"' in svg, cls
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef):
            assert f'"{sub}" -> "{sup}" [arrowhead=empty]' in dot, (sub, sup)


def test_union_ranges_give_one_edge_per_member(tmp_path: Path) -> None:
    source = tmp_path / "mini.ttl"
    source.write_text(MINI, encoding="utf-8")
    assert ontodoc.write_ontology_docs(tmp_path / "out", source) == []
    dot = (tmp_path / "out/ontology/classes.dot").read_text(encoding="utf-8")
    for target in ("Meeting", "AgendaItem"):
        assert f'"{CTOC.Report}" -> "{CTOC[target]}" [label="inActivity"' in dot
    assert "Mini ontology" in (tmp_path / "out/ontology/index.html").read_text(encoding="utf-8")


def test_missing_ontology_is_reported(tmp_path: Path) -> None:
    notes = ontodoc.write_ontology_docs(tmp_path / "out", tmp_path / "ctoc.ttl")
    assert len(notes) == 1 and "does not exist yet" in notes[0]
    assert not (tmp_path / "out/ontology").exists()


def test_missing_dot_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "mini.ttl"
    source.write_text(MINI, encoding="utf-8")
    monkeypatch.setattr(ontodoc.shutil, "which", lambda name: None)
    notes = ontodoc.write_ontology_docs(tmp_path / "out", source)
    assert len(notes) == 1 and "dot" in notes[0]
    assert (tmp_path / "out/ontology/index.html").is_file() and (tmp_path / "out/ontology/classes.dot").is_file()
    assert not (tmp_path / "out/ontology/classes.svg").exists()


# -- the page in its languages, with unique fragment ids ------------------------------------------------------


class _Texts(HTMLParser):
    """Collects (text, language of its nearest element) outside script, style and title; and every id and href."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str | None]] = []
        self.ids: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.ids += [values["id"] or ""] if "id" in values else []
        self.hrefs += [values["href"] or ""] if "href" in values else []
        if tag not in VOID:
            self.stack.append((tag, values.get("lang") or (self.stack[-1][1] if self.stack else None)))

    def handle_endtag(self, tag: str) -> None:
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip() and self.stack and self.stack[-1][0] not in ("script", "style", "title"):
            self.texts.append((data, self.stack[-1][1]))


VOID = {"meta", "link", "br", "hr", "img", "input", "col", "area", "base", "wbr", "source", "track", "embed"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def page(built_dist: Path) -> _Texts:
    parsed = _Texts()
    parsed.feed((built_dist / "ontology/index.html").read_text(encoding="utf-8"))
    return parsed


def test_page_is_english_with_every_chinese_text_marked_zh(built_dist: Path, page: _Texts) -> None:
    assert '<html lang="en">' in (built_dist / "ontology/index.html").read_text(encoding="utf-8")
    unmarked = [text for text, lang in page.texts if CJK.search(text) and lang != "zh"]
    assert unmarked == []
    assert not [text for text, lang in page.texts if lang == "zh" and re.fullmatch(r"[\sA-Za-z]+", text)]


def test_headings_keep_the_two_labels_apart(built_dist: Path, ontology: Graph) -> None:
    html = (built_dist / "ontology/index.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h3>(.*)", html)
    terms = [t for t in ontology.subjects(RDFS.label, None) if str(t).startswith(str(CTOC))]
    assert len(headings) >= len(set(terms)) > 100
    assert all(re.match(r'<span lang="en">[^<]+</span> / <span lang="zh">', h) for h in headings if CJK.search(h))
    for term in terms:
        en, zh = (next(str(lit) for lit in ontology.objects(term, RDFS.label) if lit.language == lang)
                  for lang in ("en", "zh"))
        assert f'<h3><span lang="en">{escape(en)}</span> / <span lang="zh">{zh}</span>' in html, term


def test_fragment_ids_are_unique_non_empty_and_every_link_lands(page: _Texts) -> None:
    assert "" not in page.ids and len(page.ids) == len(set(page.ids))
    assert {h[1:] for h in page.hrefs if h.startswith("#")} <= set(page.ids)


def test_zh_spans() -> None:
    assert html_lang.zh_spans("  action / 行动\n") == '  <span lang="en">action</span> / <span lang="zh">行动</span>\n'
    assert html_lang.zh_spans("给出文件的字节数，如 CTOC/COP/WG.3/2012/1。") == (
        '<span lang="zh">给出文件的字节数，如 CTOC/COP/WG.3/2012/1。</span>')
    assert html_lang.zh_spans("such as 留尼汪 for France.") == 'such as <span lang="zh">留尼汪</span> for France.'
    assert html_lang.zh_spans("no Chinese") == "no Chinese"


def test_mark_languages_leaves_scripts_and_title_alone() -> None:
    page = ('<!DOCTYPE html>\n<html><head><title>本体</title><script>{"a": "<\\/b 中"}</script></head>'
            '<body><p id="">中文 &amp; x</p></body></html>')
    assert html_lang.mark_languages(page) == (
        '<!DOCTYPE html>\n<html lang="en"><head><title>本体</title><script>{"a": "<\\/b 中"}</script></head>'
        '<body><p><span lang="zh">中文</span> &amp; x</p></body></html>')
