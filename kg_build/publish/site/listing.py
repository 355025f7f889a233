"""Which pages the site has, streamed from the store in a stable order without holding the corpus's IRIs: every
IRI under ``id/`` that the asserted graph uses goes, beside the IRI of its page, through an external ``sort``
(C locale: byte order, which is code-point order in UTF-8), and each page comes out with the IRIs it shows.
Members of the browsable kinds come from the rdf:type index of the store (asserted and inferred)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg_build.namespaces import ID
from kg_build.publish.site.kinds import Kind, subclass_closure
from kg_build.publish.site.paths import iri_href, page_iri

SORT_MEMORY = "64M"  # the external sort's buffer: past it, sort merges runs from disk
USED_IRIS = f"""SELECT DISTINCT ?n WHERE {{
  {{ ?n ?p ?o }} UNION {{ ?s ?p ?n }}
  FILTER(isIRI(?n) && STRSTARTS(STR(?n), "{ID}"))
}}"""


def page_lines(store: ox.Store, path: Path) -> None:
    """Write ``page<TAB>iri`` for every IRI under ``id/`` of the asserted graph (and ``page<TAB>page``) to `path`."""
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for row in store.query(USED_IRIS):  # type: ignore[union-attr]
            iri = row["n"].value
            page = page_iri(iri)
            if page is not None:
                handle.write(f"{page}\t{page}\n")
                if iri != page:
                    handle.write(f"{page}\t{iri}\n")


def write_page_list(store: ox.Store, path: Path) -> None:
    """The sorted ``page<TAB>iri`` lines of the site into `path` (an external sort: memory stays flat)."""
    raw = path.with_name(path.name + ".unsorted")
    page_lines(store, raw)
    subprocess.run(["sort", "-u", "-S", SORT_MEMORY, "-T", str(path.parent), "-o", str(path), str(raw)], check=True,
                   env={**os.environ, "LC_ALL": "C"})
    raw.unlink()


def read_pages(path: Path, share: int = 0, shares: int = 1) -> Iterator[tuple[str, list[URIRef]]]:
    """``(page IRI, the IRIs it shows)`` from a page list: pages in byte order of ``page<TAB>``, each page's IRIs
    sorted (itself first); with `shares` > 1 only every `shares`-th page from the `share`-th on."""
    current: str | None = None
    shown: list[URIRef] = []
    index = -1
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            page, _, iri = line.rstrip("\n").partition("\t")
            if page != current:
                if current is not None and index % shares == share:
                    yield current, shown
                current, shown, index = page, [], index + 1
            shown.append(URIRef(iri))
    if current is not None and index % shares == share:
        yield current, shown


def site_pages(store: ox.Store) -> Iterator[tuple[str, list[URIRef]]]:
    """Every page of the site with the IRIs it shows, in page order (see `read_pages`)."""
    with tempfile.TemporaryDirectory(prefix="ctoc-kg-pages-") as work:
        path = Path(work) / "pages.tsv"
        write_page_list(store, path)
        yield from read_pages(path)


def kind_members(store: ox.Store, kind: Kind, ontology: Graph | None = None) -> list[URIRef]:
    """The IRIs with a page typed with one of the kind's classes (or their subclasses), asserted or inferred,
    sorted."""
    found: set[str] = set()
    for cls in subclass_closure(kind.classes, ontology):
        for quad in store.quads_for_pattern(None, ox.NamedNode(str(RDF.type)), ox.NamedNode(str(cls)), None):
            if isinstance(quad.subject, ox.NamedNode):
                found.add(quad.subject.value)
    return [URIRef(iri) for iri in sorted(found) if iri_href((), iri) is not None]
