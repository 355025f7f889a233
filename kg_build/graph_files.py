"""Read RDF files (N-Triples, Turtle) into one rdflib graph, turning parser failures into InputErrors."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from kg_build.errors import InputError

FORMATS = {".nt": "nt", ".ttl": "turtle", ".n3": "n3", ".nq": "nquads", ".trig": "trig"}
LINE_NUMBER = ("line", "lines", "lineno")


def rdf_format(path: Path) -> str:
    """The rdflib parser name for a file, by suffix; Turtle when the suffix is unknown."""
    return FORMATS.get(path.suffix.lower(), "turtle")


def read_graph(paths: Iterable[Path], graph: Graph | None = None) -> Graph:
    """Parse every file into `graph` (a new one when None); open files, never a URL or a string."""
    graph = graph if graph is not None else Graph()
    for path in paths:
        try:
            with path.open("rb") as handle:
                graph.parse(handle, format=rdf_format(path))
        except FileNotFoundError:
            raise InputError(path, 0, "no such file") from None
        except Exception as err:  # rdflib's parsers raise many types; all mean "unusable input"
            line = next((int(v) for a in LINE_NUMBER if isinstance(v := getattr(err, a, None), int)), 0)
            raise InputError(path, line, f"cannot parse as {rdf_format(path)}: {_first_line(err)}") from None
    return graph


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__
