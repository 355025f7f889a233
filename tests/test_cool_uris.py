"""Cool URIs on the built folder, through ``ctoc-kg serve``'s site hook (in process, over ASGI): 303 from
every kind of IRI to its document, Link headers, ETag = SHA-256 of the bytes, Last-Modified = mtime, 304;
the RDF/XML beside every page and the other formats of the ontology and of void.ttl hold the same triples."""

from __future__ import annotations

import asyncio
import hashlib
import random
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg_build.namespaces import BASE
from kg_build.publish.site.conneg import DUMPS_PATH, NOT_ACCEPTABLE
from kg_build.publish.void import load_dataset_info
from kg_build.sparql.serve import SparqlFront, build_app
from kg_build.sparql.siteroute import site_handler

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
TYPES = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
         "rdf": "application/rdf+xml"}
FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}


def ask(dist: Path, requests: list[tuple[str, str, dict[str, str]]]) -> list[httpx.Response]:
    """Answers of serve's front (no engine needed for the site) to (method, path, headers) requests."""
    async def run() -> list[httpx.Response]:
        app = build_app(SparqlFront(child=None, site_handler=site_handler(dist / "site")))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://front") as client:
            return [await client.request(m, p, headers=h) for m, p, h in requests]
    return asyncio.run(run())


def links(response: httpx.Response) -> set[tuple[str, str, str]]:
    """(target, rel, type) of each Link header value."""
    found = set()
    for value in response.headers.get("link", "").split(", <"):
        target, *params = value.split("; ")
        fields = dict(p.split("=", 1) for p in params)
        found.add((target.strip("<>"), fields["rel"].strip('"'), fields["type"].strip('"')))
    return found


@pytest.mark.parametrize(("iri", "folder", "stem", "formats"), [
    ("/id/state/ECU", "/id/state/ECU/", "index", ("html", "ttl", "jsonld", "nt", "rdf")),
    ("/ontology", "/ontology/", "ctoc", ("html", "ttl", "jsonld", "nt", "rdf")),
    ("/dataset", DUMPS_PATH, "void", ("ttl", "jsonld", "nt", "rdf")),
])
def test_a_thing_answers_303_with_links(built_dist: Path, iri: str, folder: str, stem: str,
                                        formats: tuple[str, ...]) -> None:
    accepts = [TYPES[f] for f in formats] + [BROWSER, "image/png"]
    answers = ask(built_dist, [("GET", iri, {"Accept": a}) for a in accepts])
    described = {(f"{folder}{stem}.{f}", "describedby", TYPES[f]) for f in formats}
    for fmt, answer in zip(formats, answers, strict=False):
        assert (answer.status_code, answer.headers["location"]) == (303, f"{folder}{stem}.{fmt}")
        assert links(answer) == described and answer.headers["vary"] == "Accept"
    browser, refused = answers[-2:]
    assert browser.headers["location"] == f"{folder}{stem}.{formats[0]}"  # HTML, or Turtle where there is none
    assert (refused.status_code, refused.text) == (406, NOT_ACCEPTABLE)
    assert links(refused) == described


def test_documents_carry_validators_and_alternates(built_dist: Path) -> None:
    path = built_dist / "site/id/state/ECU/index.ttl"
    tag = f'"{hashlib.sha256(path.read_bytes()).hexdigest()[:32]}"'
    first, again, weak, star, other, head = ask(built_dist, [
        ("GET", "/id/state/ECU/index.ttl", {}), ("GET", "/id/state/ECU/index.ttl", {"If-None-Match": tag}),
        ("GET", "/id/state/ECU/index.ttl", {"If-None-Match": f'"x", W/{tag}'}),
        ("GET", "/id/state/ECU/index.ttl", {"If-None-Match": "*"}),
        ("GET", "/id/state/ECU/index.ttl", {"If-None-Match": '"x"'}), ("HEAD", "/id/state/ECU/index.ttl", {})])
    assert (first.status_code, first.headers["etag"], first.content) == (200, tag, path.read_bytes())
    assert first.headers["last-modified"] == formatdate(path.stat().st_mtime, usegmt=True)
    assert links(first) == {(f"/id/state/ECU/index.{f}", "alternate", TYPES[f]) for f in TYPES if f != "ttl"}
    for answer in (again, weak, star):
        assert (answer.status_code, answer.content, answer.headers["etag"]) == (304, b"", tag)
    assert other.status_code == 200
    assert (head.status_code, head.content, head.headers["etag"]) == (200, b"", tag)


def test_dumps_at_the_download_base(built_dist: Path) -> None:
    """/dist/ is download_base's path under the IRI base; every dump is served there, nothing at the root."""
    assert load_dataset_info()["download_base"] == BASE + DUMPS_PATH[1:]
    names = ("kg.nt", "kg.ttl", "kg.rdf", "kg.jsonld", "kg.trig", "kg.nq", "inferred.nt", "void.ttl")
    answers = ask(built_dist, [("GET", f"{DUMPS_PATH}{n}", {}) for n in names] + [("GET", "/kg.nt", {})])
    for name, answer in zip(names, answers, strict=False):
        assert (answer.status_code, answer.content) == (200, (built_dist / name).read_bytes()), name
    assert answers[-1].status_code == 404


def same_triples(reference: Path, other: Path) -> bool:
    base = Graph().parse(reference, format=FORMATS[reference.suffix[1:]])
    return isomorphic(base, Graph().parse(other, format=FORMATS[other.suffix[1:]]))


def test_every_page_has_its_rdf_xml(built_dist: Path) -> None:
    """index.rdf beside every page, the same triples as index.nt (checked on a fixed sample of 60)."""
    folders = sorted(p.parent for p in (built_dist / "site/id").rglob("index.nt"))
    assert folders and all((f / "index.rdf").is_file() for f in folders)
    for folder in random.Random(13).sample(folders, min(60, len(folders))):
        assert same_triples(folder / "index.nt", folder / "index.rdf"), folder


def test_ontology_and_dataset_in_every_format(built_dist: Path) -> None:
    ontology = built_dist / "ontology"
    assert (ontology / "ctoc.html").read_bytes() == (ontology / "index.html").read_bytes()
    for ext in ("jsonld", "nt", "rdf"):
        assert same_triples(ontology / "ctoc.ttl", ontology / f"ctoc.{ext}"), ext
        assert same_triples(built_dist / "void.ttl", built_dist / f"void.{ext}"), ext
    html = ask(built_dist, [("GET", "/ontology/", {"Accept": BROWSER})])[0]
    assert html.status_code == 200 and urlsplit(str(html.url)).path == "/ontology/"
    assert html.content == (ontology / "index.html").read_bytes()
