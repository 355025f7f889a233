"""The site served from the build's store (`site_mode("served")`): `ctoc-kg serve`'s site hook renders each page
when asked, with the same bytes and ETag as the static file, for every kind of page and every format; a thing's
IRI answers 303 as with the static site, and a folder that is no page 404."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from kg_build.publish.site.served import PAGE_LIST, find_page
from kg_build.publish.site.writer import site_mode
from kg_build.publish.store import STORE_DIR, open_store
from kg_build.sparql.serve import SparqlFront, build_app
from kg_build.sparql.siteroute import build_site_handler
from tests.test_dumps import report_iri

PAGES = [
    str(report_iri())[len("https://w3id.org/ctoc-kg"):],  # the report
    str(report_iri())[len("https://w3id.org/ctoc-kg"):] + "/para_1",  # a paragraph with hash IRIs
    "/id/state/ECU",  # a State
    "/id/convention/untoc/art_18",  # an article
]
FORMATS = ("html", "ttl", "jsonld", "nt", "rdf")


@pytest.fixture(scope="module")
def served_dist(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder that chose the served site: its store and page list, no static pages."""
    dist = tmp_path_factory.mktemp("served") / "dist"
    dist.mkdir()
    for name in ("kg.nt", STORE_DIR):
        (dist / name).symlink_to(built_dist / name)
    summary = site_mode("served", open_store(built_dist), dist)
    assert (dist / PAGE_LIST).is_file() and not (dist / "site").exists()
    assert summary.pages == sum(1 for _ in (built_dist / "site").rglob("index.nt"))
    return dist


def ask(dist: Path, paths: list[tuple[str, str]]) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        handler = build_site_handler(dist)
        assert handler is not None
        app = build_app(SparqlFront(child=None, site_handler=handler))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://front") as client:
            return [await client.get(p, headers={"Accept": a}) for p, a in paths]
    return asyncio.run(run())


def test_every_kind_of_page_in_every_format_has_the_static_bytes(served_dist: Path, built_dist: Path) -> None:
    wanted = [f"{page}/index.{fmt}" for page in PAGES for fmt in FORMATS]
    wanted += ["/kinds/states/index.html", "/kinds/reports/index.html", "/index.html", "/"]
    static = {path: ask(built_dist, [(path, "*/*")])[0] for path in wanted}
    for path, answer in zip(wanted, ask(served_dist, [(p, "*/*") for p in wanted]), strict=True):
        assert answer.status_code == 200, path
        file = built_dist / "site" / path.lstrip("/") / ("index.html" if path.endswith("/") else "")
        assert answer.content == file.read_bytes(), path
        assert answer.headers["etag"] == static[path].headers["etag"], path
        assert answer.headers["content-type"] == static[path].headers["content-type"], path
        assert answer.headers.get("link") == static[path].headers.get("link"), path


def test_a_served_thing_answers_303_and_a_missing_one_404(served_dist: Path) -> None:
    see, missing, nothing = ask(served_dist, [("/id/state/ECU", "text/turtle"), ("/id/state/NOPE", "*/*"),
                                              ("/id/state/NOPE/index.html", "*/*")])
    assert see.status_code == 303 and see.headers["location"] == "/id/state/ECU/index.ttl"
    assert 'rel="describedby"' in see.headers["link"]
    assert missing.status_code == 404 and nothing.status_code == 404


def test_the_page_list_is_searched_not_read(served_dist: Path) -> None:
    listing = served_dist / PAGE_LIST
    first = listing.read_text(encoding="utf-8").splitlines()
    pages = sorted({line.split("\t")[0] for line in first})
    for page in (pages[0], pages[len(pages) // 2], pages[-1]):
        expected = [line.split("\t")[1] for line in first if line.split("\t")[0] == page]
        assert [str(iri) for iri in find_page(listing, page) or []] == expected
    assert find_page(listing, pages[0] + "-none") is None and find_page(listing, "") is None
