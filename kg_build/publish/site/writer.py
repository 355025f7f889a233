"""Writing the static site from a build's store: the page list once (kg_build/publish/site/listing.py), then every
page rendered (or hard-linked from the previous build when its input is unchanged: manifest.py), in one process or
in several that each open the store read-only and take every n-th page; then the kind listings, the home page and
the web-server rules."""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from kg_build.publish.output import write_text
from kg_build.publish.site.conneg import htaccess, nginx_conf
from kg_build.publish.site.data import SiteData
from kg_build.publish.site.kinds import KINDS
from kg_build.publish.site.listing import read_pages, write_page_list
from kg_build.publish.site.manifest import (
    MANIFEST,
    Entry,
    PreviousPages,
    manifest_writer,
    page_digest,
    renderer_digest,
)
from kg_build.publish.site.pages import PAGE_FILES, SITE_DIR, kind_files, page_files
from kg_build.publish.site.paths import segments
from kg_build.publish.site.served import write_page_index


@dataclass(frozen=True)
class SiteSummary:
    """What was written: resource pages, kind pages, files, and how many pages were hard-linked unchanged."""

    pages: int
    kind_pages: int
    files: int
    linked: int = 0


@dataclass(frozen=True)
class Share:
    """One process's part of the pages: every `shares`-th page of the list from the `share`-th on."""

    listing: Path
    share: int
    shares: int
    root: Path
    renderer: str
    previous: Path | None
    manifest: Path


def write_files(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        with open(folder / name, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)


def link_files(previous: Path, folder: Path) -> bool:
    """Hard-link a page's files from the previous build; False (nothing linked) when one is missing."""
    if not all((previous / name).is_file() for name in PAGE_FILES):
        return False
    folder.mkdir(parents=True, exist_ok=True)
    for name in PAGE_FILES:
        os.link(previous / name, folder / name)
    return True


def render_share(data: SiteData, part: Share) -> tuple[int, int]:
    """Render (or link) the pages of one share and write its part of the manifest; ``(pages, linked)``."""
    earlier = PreviousPages(part.previous / MANIFEST if part.previous is not None else None)
    pages = linked = 0
    with open(part.manifest, "w", encoding="utf-8", newline="\n") as manifest:
        for page, subjects in read_pages(part.listing, part.share, part.shares):
            pages += 1
            where = segments(page)
            folder = part.root.joinpath(*where)
            entry = earlier.find(page)
            if entry is not None and part.previous is not None \
                    and page_digest(data, part.renderer, subjects, entry.lookups) == entry.digest \
                    and link_files(part.previous.joinpath(*where), folder):
                manifest.write(entry.line())
                linked += 1
                continue
            data.recording = set()
            files = page_files(data, page, subjects)
            lookups, data.recording = data.recording, None
            write_files(folder, files)
            manifest.write(Entry(page, page_digest(data, part.renderer, subjects, lookups), list(lookups)).line())
    return pages, linked


def _render_in_child(store: Path, ontology: str | None, part: Share) -> tuple[int, int]:
    """A worker process: open the store read-only, read the ontology back, render its share."""
    graph = Graph().parse(data=ontology, format="nt") if ontology is not None else None
    return render_share(SiteData(ox.Store.read_only(str(store)), graph), part)


def merge_manifests(parts: list[Path], target: Path) -> None:
    """The shares' manifests into one in page order (page k is line k // n of part k % n)."""
    handles = [part.open(encoding="utf-8") for part in parts]
    try:
        with manifest_writer(target) as out:
            while True:
                lines = [handle.readline() for handle in handles]
                out.writelines(line for line in lines if line)
                if not all(lines):
                    break
    finally:
        for handle in handles:
            handle.close()


SITE_MODES = ("static", "served")


def site_mode(mode: str, store: ox.Store | Path, out: Path, ontology: Graph | None = None,
              info: dict[str, Any] | None = None, previous: Path | None = None, processes: int = 1) -> SiteSummary:
    """Publish the site the way the publisher chose: "static" writes every page (`write_site`); "served" writes
    only the page list, and ``ctoc-kg serve`` renders each page from the build's store when asked, with the same
    bytes (kg_build/publish/site/served.py). The site's other files (query editor, notebook page) are written in
    both modes by their own steps."""
    if mode == "static":
        return write_site(store, out, ontology, info, previous, processes)
    if mode != "served":
        raise ValueError(f"site mode {mode!r}: choose one of {', '.join(SITE_MODES)}")
    opened = ox.Store.read_only(str(store)) if isinstance(store, Path) else store
    listing = write_page_index(opened, out)
    pages = sum(1 for _ in read_pages(listing))
    return SiteSummary(pages, len(KINDS), 1)


def write_site(store: ox.Store | Path, out: Path, ontology: Graph | None = None, info: dict[str, Any] | None = None,
               previous: Path | None = None, processes: int = 1) -> SiteSummary:
    """Write the whole site into ``out/site`` from the build's store (an open store, or the folder of one), page by
    page. Pages whose input equals that of the `previous` build folder's site are hard-linked from it instead of
    rendered. With a store folder and `processes` > 1 the pages are shared among that many processes."""
    root = out / SITE_DIR
    root.mkdir(parents=True, exist_ok=True)
    info = info or {}
    opened = ox.Store.read_only(str(store)) if isinstance(store, Path) else store
    data = SiteData(opened, ontology)
    renderer = renderer_digest(ontology, info)
    old_root = previous / SITE_DIR if previous is not None else None
    shares = processes if isinstance(store, Path) and processes > 1 else 1
    with tempfile.TemporaryDirectory(prefix="ctoc-kg-site-") as work:
        listing = Path(work) / "pages.tsv"
        write_page_list(opened, listing)
        parts = [Share(listing, i, shares, root, renderer, old_root, Path(work) / f"manifest-{i}.tsv")
                 for i in range(shares)]
        if shares == 1:
            counts = [render_share(data, parts[0])]
        else:
            text = ontology.serialize(format="nt") if ontology is not None else None
            with ProcessPoolExecutor(shares, mp_context=get_context("spawn")) as pool:
                counts = list(pool.map(_render_in_child, [store] * shares, [text] * shares, parts))
        merge_manifests([p.manifest for p in parts], root / MANIFEST)
    for path, html in kind_files(data, ontology, info).items():
        write_text((root / path).parent, Path(path).name, html)
    write_text(root, ".htaccess", htaccess())
    write_text(root, "nginx.conf", nginx_conf())
    pages, linked = sum(c[0] for c in counts), sum(c[1] for c in counts)
    return SiteSummary(pages, len(KINDS), pages * len(PAGE_FILES) + len(KINDS) + 3, linked)
