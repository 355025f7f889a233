"""The site served from the build's store instead of written out: a publisher may build only the sorted page list
(``site-pages.tsv`` beside the store) and let ``ctoc-kg serve`` render each page when it is asked for, with the same
bytes as the static file. A page's folder is found from its URL by a binary search of the list (memory stays
flat); what the site folder holds on disk (the query editor, the notebook page) is served from disk as before."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg_build.namespaces import BASE
from kg_build.publish.site.conneg import Tree
from kg_build.publish.site.data import SiteData
from kg_build.publish.site.kinds import KINDS
from kg_build.publish.site.listing import kind_members, write_page_list
from kg_build.publish.site.pages import PAGE_FILES, home_page, kind_page, page_file
from kg_build.publish.site.paths import UNSAFE_SEGMENTS, segments

PAGE_LIST = "site-pages.tsv"
IRI_SAFE = "!$&'()*+,;=:@-._~"  # what an IRI path segment holds unencoded besides letters and digits


def write_page_index(store: ox.Store, out: Path) -> Path:
    """The page list a served site needs, ``out/site-pages.tsv`` (instead of the static site's files)."""
    write_page_list(store, out / PAGE_LIST)
    return out / PAGE_LIST


def find_page(listing: Path, page: str) -> list[URIRef] | None:
    """The IRIs shown on `page` from a sorted page list, by binary search over its bytes; None when absent."""
    key = (page + "\t").encode("utf-8")
    with listing.open("rb") as handle:

        def line_from(pos: int) -> bytes:
            """The first whole line starting at or after byte `pos`."""
            handle.seek(max(pos - 1, 0))
            if pos > 0:
                handle.readline()
            return handle.readline()

        low, high = 0, handle.seek(0, 2)
        while low < high:
            middle = (low + high) // 2
            line = line_from(middle)
            if line and line < key:
                low = middle + 1
            else:
                high = middle
        shown = []
        line = line_from(low)
        while line.startswith(key):
            shown.append(URIRef(line[len(key):].rstrip(b"\n").decode("utf-8")))
            line = handle.readline()
    return shown or None


def candidate_pages(parts: tuple[str, ...]) -> list[str]:
    """The page IRIs whose folder is `parts` (folder names are decoded segments: the IRI may have either form)."""
    unsafe = {name: raw for raw, name in UNSAFE_SEGMENTS.items()}
    raw = [unsafe.get(p, p).replace("%2F", "/") for p in parts]
    found = [BASE + "/".join(raw), BASE + "/".join(quote(p, safe=IRI_SAFE) for p in raw)]
    return [iri for i, iri in enumerate(found) if iri not in found[:i]]


class ServedSite(Tree):
    """The documents of a site rendered on request from a store, for the folder `site` (files that are on disk
    there are served from disk)."""

    def __init__(self, site: Path, store: ox.Store, listing: Path, ontology: Graph | None = None,
                 info: dict[str, Any] | None = None) -> None:
        self.site, self.listing, self.info = site.resolve(), listing, info or {}
        self.ontology = ontology
        self.data = SiteData(store, ontology)
        self.modified = listing.stat().st_mtime
        self.lock = threading.Lock()  # one render at a time: the lookups share a cache
        self.kinds = {kind.slug: kind for kind in KINDS}
        self.counts: dict[str, int] | None = None

    def parts(self, path: Path) -> tuple[str, ...] | None:
        """`path` under the site folder as folder names, or None when it is elsewhere."""
        return path.relative_to(self.site).parts if path.is_relative_to(self.site) else None

    def page(self, parts: tuple[str, ...]) -> tuple[str, list[URIRef]] | None:
        """The page IRI of a site folder and the IRIs it shows, or None when the folder is no page."""
        if not parts or parts[0] != "id":
            return None
        for iri in candidate_pages(parts):
            if segments(iri) == parts and (shown := find_page(self.listing, iri)) is not None:
                return iri, shown
        return None

    def is_dir(self, path: Path) -> bool:
        parts = self.parts(path)
        if parts is None or path.is_dir():
            return path.is_dir()
        return parts in ((), ("kinds",)) or (len(parts) == 2 and parts[0] == "kinds" and parts[1] in self.kinds) \
            or self.page(parts) is not None

    def is_file(self, path: Path) -> bool:
        parts = self.parts(path)
        if parts is None or path.is_file():
            return path.is_file()
        if not parts:
            return False
        folder, name = parts[:-1], parts[-1]
        if folder == () or (len(folder) == 2 and folder[0] == "kinds" and folder[1] in self.kinds):
            return name == "index.html"
        return name in PAGE_FILES and self.page(folder) is not None

    def rendered(self, path: Path) -> tuple[bytes, float] | None:
        parts = self.parts(path)
        if parts is None or path.is_file() or not self.is_file(path):
            return None
        with self.lock:
            return self.render(parts[:-1], parts[-1]).encode("utf-8"), self.modified

    def render(self, folder: tuple[str, ...], name: str) -> str:
        """The text of one document of the site, as the static site writes it."""
        if folder == ():
            if self.counts is None:
                self.counts = {slug: len(kind_members(self.data.store, kind, self.ontology))
                               for slug, kind in self.kinds.items()}
            return home_page(self.data, self.counts, self.info)
        if folder[0] == "kinds":
            kind = self.kinds[folder[1]]
            return kind_page(self.data, kind, kind_members(self.data.store, kind, self.ontology))
        found = self.page(folder)
        assert found is not None
        return page_file(self.data, found[0], found[1], name)
