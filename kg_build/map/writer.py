"""Writing triples for the mappers: literals with language tags, label pairs, path-safe slugs."""

from __future__ import annotations

import re
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS


def lit_en(text: str) -> Literal:
    return Literal(" ".join(str(text).split()), lang="en")


def lit_zh(text: str) -> Literal:
    return Literal(str(text), lang="zh")


def slug(key: str) -> str:
    """A path-safe slug of a key: ``state/ECU`` → ``state-ECU``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", key).strip("-")


class GraphWriter:
    """Adds triples to one graph; `labels` gives a node its English and Chinese rdfs:label."""

    def __init__(self, graph: Graph) -> None:
        self.g = graph

    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        self.g.add((s, p, o))

    def labels(self, node: URIRef, en: str, zh: str) -> None:
        self.add(node, RDFS.label, lit_en(en))
        self.add(node, RDFS.label, lit_zh(zh))
