"""Rebuilding only the pages whose data changed. The site keeps ``.pages.tsv.gz``: per page its IRI, the digest of its
input and the lookups it made while rendered (kg_build/publish/site/data.py records them). On a rebuild the same
lookups are made again on the new store; when their answers, the IRIs the page shows and the renderer (its code,
the ontology, the dataset info) are unchanged, the page would come out the same, so its files are hard-linked
from the previous build. Rendering is a function of those answers alone, so this is exact, not a heuristic."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from rdflib import BNode, Graph, URIRef

from kg_build.namespaces import BASE
from kg_build.publish.dumps import CONTEXT_FILE
from kg_build.publish.site.data import Lookup, SiteData
from kg_build.validate.shapes import SHAPES_DIR

MANIFEST = ".pages.tsv.gz"  # gzip (level 1, no timestamp: the same bytes each build): IRIs shrink about tenfold
SITE_CODE = Path(__file__).resolve().parent


def renderer_digest(ontology: Graph | None, info: dict[str, Any]) -> str:
    """What every page depends on besides its data: the site's code, the JSON-LD context, the shapes (they declare
    datatypes the store folds), the ontology, the info."""
    sha = hashlib.sha256()
    for path in sorted(SITE_CODE.glob("*.py")) + sorted(SHAPES_DIR.glob("*.ttl")) + [
            CONTEXT_FILE, Path(__file__).resolve().parents[2] / "namespaces.py"]:
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    if ontology is not None:
        lines = sorted(ontology.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines())
        sha.update("\n".join(lines).encode())
    sha.update(json.dumps(info, sort_keys=True, default=str).encode())
    return sha.hexdigest()


def encode(lookup: Lookup) -> str:
    kind, node = lookup
    text = f"_:{node}" if isinstance(node, BNode) else str(node)
    return kind + ("~" + text[len(BASE):] if text.startswith(BASE) else text)


def decode(field: str) -> Lookup:
    kind, text = field[0], field[1:]
    if text.startswith("~"):
        return kind, URIRef(BASE + text[1:])
    return kind, BNode(text[2:]) if text.startswith("_:") else URIRef(text)


def page_digest(data: SiteData, renderer: str, subjects: list[URIRef], lookups: Iterable[Lookup]) -> str:
    sha = hashlib.sha256(renderer.encode())
    sha.update(" ".join(subjects).encode())
    sha.update(data.input_digest(lookups).encode())
    return sha.hexdigest()


@dataclass(frozen=True)
class Entry:
    """One page of a manifest: its IRI, input digest and lookups."""

    page: str
    digest: str
    lookups: list[Lookup]

    def line(self) -> str:
        return f"{self.page}\t{self.digest}\t{' '.join(encode(k) for k in sorted(self.lookups, key=str))}\n"


def manifest_writer(path: Path) -> TextIO:
    """A text handle writing the gzip-compressed manifest at `path`."""
    raw = gzip.GzipFile(path, "wb", compresslevel=1, mtime=0)
    return io.TextIOWrapper(raw, encoding="utf-8", newline="\n")


def read_manifest(path: Path) -> Iterator[Entry]:
    """The entries of a manifest in its order (the site's page order); none when there is no manifest."""
    if not path.is_file():
        return
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            page, digest, lookups = line.rstrip("\n").split("\t")
            yield Entry(page, digest, [decode(f) for f in lookups.split(" ") if f])


class PreviousPages:
    """The previous build's manifest read alongside the new page list (both in page order): memory holds one
    entry at a time."""

    def __init__(self, path: Path | None) -> None:
        self.entries = read_manifest(path) if path is not None else iter(())
        self.current = next(self.entries, None)

    def find(self, page: str) -> Entry | None:
        """The entry of `page`, skipping entries of pages that are gone."""
        key = page + "\t"
        while self.current is not None and self.current.page + "\t" < key:
            self.current = next(self.entries, None)
        return self.current if self.current is not None and self.current.page == page else None
