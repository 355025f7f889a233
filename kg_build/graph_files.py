"""Read RDF files into one rdflib graph: every format the build writes (N-Triples, Turtle, TriG, N-Quads,
RDF/XML, JSON-LD), chosen by suffix or named, parser failures turned into InputErrors.

Nothing is fetched while reading: RDF/XML with a DOCTYPE or an entity declaration is refused before the XML
parser sees it (external entities read files and URLs; internal ones can expand without bound), and JSON-LD
whose `@context` (anywhere in the document) names a URL or a file, or that uses `@import`, is refused: rdflib
would fetch it. The build's own kg.jsonld embeds its context object and reads as is.
"""

from __future__ import annotations

import codecs
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from rdflib import Dataset, Graph

from kg_build.errors import InputError

FORMATS = {
    ".nt": "nt", ".ttl": "turtle", ".n3": "n3", ".nq": "nquads", ".trig": "trig",
    ".rdf": "xml", ".owl": "xml", ".xml": "xml", ".jsonld": "json-ld", ".json": "json-ld",
}
FORMAT_NAMES = ("nt", "turtle", "n3", "nquads", "trig", "xml", "json-ld")
QUAD_FORMATS = frozenset({"nquads", "trig"})  # read into a dataset; every graph's triples are kept
LINE_NUMBER = ("line", "lines", "lineno")
_XML_DECLARATIONS = re.compile(r"<!(DOCTYPE|ENTITY)\b")
_UTF16_32 = {codecs.BOM_UTF32_LE: "utf-32", codecs.BOM_UTF32_BE: "utf-32", codecs.BOM_UTF16_LE: "utf-16",
             codecs.BOM_UTF16_BE: "utf-16", b"<\x00?\x00": "utf-16-le", b"\x00<\x00?": "utf-16-be"}


def rdf_format(path: Path, named: str | None = None) -> str:
    """The rdflib parser name for a file: `named` when given, else by suffix; Turtle when the suffix is unknown."""
    return named or FORMATS.get(path.suffix.lower(), "turtle")


def read_graph(paths: Iterable[Path], graph: Graph | None = None, fmt: str | None = None,
               progress: Callable[[str], None] | None = None) -> Graph:
    """Parse every file into `graph` (a new one when None); open files, never a URL. `fmt` names the format
    of every file instead of its suffix; `progress` hears one line per file read."""
    graph = graph if graph is not None else Graph()
    for path in paths:
        started, before = time.monotonic(), len(graph)
        _read_one(path, rdf_format(path, fmt), graph)
        if progress is not None:
            progress(f"read {len(graph) - before} triples from {path} in {time.monotonic() - started:.1f} s")
    return graph


def _read_one(path: Path, fmt: str, graph: Graph) -> None:
    """Parse one file in `fmt` into `graph`, after the checks that keep the parser from fetching anything."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, 0, "no such file") from None
    except OSError as err:
        raise InputError(path, 0, f"cannot read: {err.strerror or err}") from None
    source = _checked(path, fmt, data)
    try:
        if fmt in QUAD_FORMATS:
            dataset = Dataset()
            dataset.parse(data=source, format=fmt)
            for triple in _all_triples(dataset):
                graph.add(triple)
        else:
            graph.parse(data=source, format=fmt)
    except Exception as err:  # rdflib's parsers raise many types; all mean "unusable input"
        line = next((int(v) for a in LINE_NUMBER if isinstance(v := getattr(err, a, None), int)), 0)
        raise InputError(path, line, f"cannot parse as {fmt}: {_first_line(err)}") from None


def _all_triples(dataset: Dataset) -> Iterator[tuple]:
    """Every triple of every graph of a dataset, the default graph included."""
    for quad in dataset.quads((None, None, None, None)):
        yield quad[:3]


def _checked(path: Path, fmt: str, data: bytes) -> bytes | str:
    """The file's content to parse, once it is known to reach nothing outside: RDF/XML without DOCTYPE or
    ENTITY declarations, JSON-LD without remote or file contexts."""
    if fmt == "xml":
        text = _xml_text(data)
        found = _XML_DECLARATIONS.search(text)
        if found:
            line = text.count("\n", 0, found.start()) + 1
            raise InputError(path, line, f"RDF/XML with a <!{found.group(1)}> declaration is refused"
                             " (entities can read files and URLs, or expand without bound)")
        return data
    if fmt == "json-ld":
        return _checked_json_ld(path, data)
    return data


def _xml_text(data: bytes) -> str:
    """The XML document as text for the declaration check: UTF-16/32 by byte-order mark or first bytes, else
    read as Latin-1 (every ASCII-compatible encoding writes `<!DOCTYPE` in the same bytes)."""
    for mark, encoding in _UTF16_32.items():
        if data.startswith(mark):
            return data.decode(encoding, "replace")
    return data.decode("latin-1")


def _checked_json_ld(path: Path, data: bytes) -> str:
    """The JSON-LD text, refused when any `@context` is (or lists) a string, or anything uses `@import`."""
    try:
        text = data.decode("utf-8-sig")
        document = json.loads(text)
    except UnicodeDecodeError as err:
        raise InputError(path, 0, f"not UTF-8 JSON-LD: {err.reason} at byte {err.start}") from None
    except json.JSONDecodeError as err:
        raise InputError(path, err.lineno, f"not JSON: {err.msg} (column {err.colno})") from None
    for where in _fetched_contexts(document):
        raise InputError(path, _line_of(text, where), f"JSON-LD {where} is refused: a context that is not embedded "
                         "would be fetched (embed the context object in the document)")
    return text


def _fetched_contexts(node: object) -> Iterator[str]:
    """Yield a description of each `@context` value that names a document, and of each `@import`."""
    if isinstance(node, list):
        for item in node:
            yield from _fetched_contexts(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@import":
                yield f'"@import": {json.dumps(value)[:80]}'
            elif key == "@context":
                for context in value if isinstance(value, list) else [value]:
                    if isinstance(context, str):
                        yield f'"@context": {json.dumps(context)[:80]}'
            yield from _fetched_contexts(value)


def _line_of(text: str, where: str) -> int:
    """The line of the first occurrence of the refused value's text (0 when it cannot be found verbatim)."""
    value = where.split(": ", 1)[1]
    offset = text.find(value)
    return text.count("\n", 0, offset) + 1 if offset >= 0 else 0


def _first_line(err: Exception) -> str:
    """The first line of a parser's message (rdflib appends the document after it)."""
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__
