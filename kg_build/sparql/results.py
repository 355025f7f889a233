"""Query results in one engine-neutral shape, and their output formats: an aligned table for people, W3C
SPARQL 1.1 CSV and TSV, and SPARQL 1.1 JSON results.

`write` streams: CSV, TSV and JSON rows (and graph results) go out as the engine yields them, so a huge answer
never sits in memory; the table has to measure its columns first, so it holds at most TABLE_ROWS rows (or
`--limit`) and says when it cut the rest."""

from __future__ import annotations

import csv
import io
import itertools
import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg_build.namespaces import PREFIXES
from kg_build.sparql.terms import Term, from_json, to_json, to_ntriples

FORMATS = ("table", "csv", "tsv", "json")
TABLE_CELL_WIDTH = 60  # display columns; longer cells are cut with "…" in the table format only
TABLE_ROWS = 1000  # rows the table format shows unless --limit says otherwise (it buffers what it shows)


@dataclass
class Result:
    """A query's answer: SELECT rows (dicts of RDF terms, unbound variables absent), an ASK boolean, or
    CONSTRUCT/DESCRIBE triples. Rows and triples are lists, or one-pass iterators for a streamed answer."""

    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] | Iterator[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] | Iterator[tuple[Term, Term, Term]] = field(default_factory=list)

    def comparable(self) -> object:
        """A value equal for two results with the same answers, ignoring row order and blank-node labels."""
        if self.form == "ASK":
            return self.boolean
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            return sorted(" ".join(_key(t) for t in triple) for triple in self.triples)
        rows = Counter(tuple(_key(row.get(var)) for var in self.variables) for row in self.rows)
        return sorted(self.variables), sorted(
            (tuple(sorted(zip(self.variables, key, strict=True))), n) for key, n in rows.items()
        )


# Oxigraph and Virtuoso store every integer-derived datatype (oa:start's xsd:nonNegativeInteger...) as
# xsd:integer; rdflib keeps it. Comparisons across engines treat the family as xsd:integer.
INTEGER_FAMILY = frozenset(XSD[name] for name in (
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long", "int", "short",
    "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))


def _key(term: Term | None) -> str:
    """A term's N-Triples text for comparisons: blank nodes anonymous, integer-derived types as xsd:integer."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return "_:b"
    if isinstance(term, Literal) and term.datatype in INTEGER_FAMILY:
        return to_ntriples(Literal(str(term), datatype=XSD.integer))
    return to_ntriples(term)


def comparable_term(term: Term | None) -> str:
    """The comparison key of one term (see INTEGER_FAMILY)."""
    return _key(term)


def from_sparql_json(data: object) -> Result:
    """A Result from a parsed SPARQL 1.1 JSON results document (SELECT or ASK); ValueError when the document
    does not have that shape (an endpoint can send anything)."""
    if not isinstance(data, dict):
        raise ValueError(f"a JSON {type(data).__name__}, not an object")
    if "boolean" in data:
        return Result(form="ASK", boolean=bool(data["boolean"]))
    variables = _shaped(_shaped(data.get("head", {}), dict, "head").get("vars", []), list, "head.vars")
    bindings = _shaped(_shaped(data.get("results", {}), dict, "results").get("bindings", []), list, "bindings")
    rows = []
    for binding in bindings:
        row = {}
        for name, value in _shaped(binding, dict, "a binding").items():
            row[str(name)] = from_json(_shaped(value, dict, "a bound value"))
        rows.append(row)
    return Result(form="SELECT", variables=[str(v) for v in variables], rows=rows)


def _shaped(value: object, kind: type, what: str) -> object:
    """`value` when it is a `kind`; ValueError naming `what` otherwise."""
    if not isinstance(value, kind):
        raise ValueError(f"{what} is a JSON {type(value).__name__}, not {'an object' if kind is dict else 'an array'}")
    return value


def to_sparql_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON."""
    return _written(_write_json, result).rstrip("\n")


def _write_json(result: Result, out: TextIO, rows: Iterable[dict[str, Term]]) -> None:
    """SPARQL 1.1 Query Results JSON, one binding at a time."""
    if result.form == "ASK":
        out.write(json.dumps({"head": {}, "boolean": bool(result.boolean)}) + "\n")
        return
    out.write('{"head": ' + json.dumps({"vars": result.variables}, ensure_ascii=False) + ', "results": {"bindings": [')
    for number, row in enumerate(rows):
        binding = {var: to_json(row[var]) for var in result.variables if var in row}
        out.write((", " if number else "") + json.dumps(binding, ensure_ascii=False))
    out.write("]}}\n")


def to_csv(result: Result) -> str:
    """SPARQL 1.1 CSV results: variable names, then IRIs and literal lexical forms only, CRLF line ends."""
    return _written(_write_csv, result)


def _write_csv(result: Result, out: TextIO, rows: Iterable[dict[str, Term]]) -> None:
    """SPARQL 1.1 CSV, row by row."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in rows:
        writer.writerow([_csv_cell(row.get(var)) for var in result.variables])


def _csv_cell(term: Term | None) -> str:
    """One CSV field: unbound is empty, a blank node is `_:label`, anything else its plain text."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def to_tsv(result: Result) -> str:
    """SPARQL 1.1 TSV results: `?var` headers, terms in N-Triples/Turtle syntax, LF line ends."""
    return _written(_write_tsv, result)


def _write_tsv(result: Result, out: TextIO, rows: Iterable[dict[str, Term]]) -> None:
    """SPARQL 1.1 TSV, row by row."""
    out.write("\t".join(f"?{var}" for var in result.variables) + "\n")
    for row in rows:
        out.write("\t".join(to_ntriples(row[var]) if var in row else "" for var in result.variables) + "\n")


def _written(writer: Callable[[Result, TextIO, Iterable[dict[str, Term]]], None], result: Result) -> str:
    """What `writer` writes for the whole result, as a string."""
    buffer = io.StringIO()
    writer(result, buffer, result.rows)
    return buffer.getvalue()


def display_width(text: str) -> int:
    """Columns `text` takes in a terminal: wide and full-width characters (CJK) count 2, combining marks 0."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _cut(text: str, limit: int) -> str:
    """`text` cut to at most `limit` display columns, ending with an ellipsis when cut."""
    if display_width(text) <= limit:
        return text
    out, width = [], 0
    for ch in text:
        w = display_width(ch)
        if width + w > limit - 1:
            break
        out.append(ch)
        width += w
    return "".join(out) + "…"


def _pad(text: str, width: int) -> str:
    """`text` padded with spaces to `width` display columns."""
    return text + " " * (width - display_width(text))


def short(term: Term | None) -> str:
    """A term as people read it: IRIs shortened with the project's prefixes, literals as their text."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        iri = str(term)
        best = max((ns for ns in PREFIXES.items() if iri.startswith(str(ns[1]))), key=lambda ns: len(str(ns[1])),
                   default=None)
        return f"{best[0]}:{iri[len(str(best[1])):]}" if best else f"<{iri}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return " ".join(str(term).split())
    return str(term)


def to_table(result: Result, cell_width: int = TABLE_CELL_WIDTH, cut_note: str = "") -> str:
    """An aligned text table, wide characters counted as two columns, with the row count at the end (and
    `cut_note` when rows were left out)."""
    if result.form == "ASK":
        return ("true" if result.boolean else "false") + "\n"
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        return to_ntriples_text(result)
    header = list(result.variables)
    cells = [[_cut(short(row.get(var)), cell_width) for var in header] for row in result.rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(header)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''}{cut_note})")
    return "\n".join(lines) + "\n"


def ntriples_line(triple: tuple[Term, Term, Term]) -> str:
    """One triple as an N-Triples line."""
    return " ".join(to_ntriples(t) for t in triple) + " .\n"


def to_ntriples_text(result: Result) -> str:
    """CONSTRUCT/DESCRIBE triples as sorted N-Triples lines."""
    return "".join(sorted(ntriples_line(triple) for triple in result.triples))


def render(result: Result, fmt: str) -> str:
    """The whole result in one of FORMATS (graph results are N-Triples whatever the format, ASK a boolean)."""
    whole = Result(form=result.form, variables=result.variables, rows=list(result.rows), boolean=result.boolean,
                   triples=list(result.triples))
    buffer = io.StringIO()
    write(whole, fmt, buffer, limit=max(len(whole.rows), len(whole.triples)))
    return buffer.getvalue()


def write(result: Result, fmt: str, out: TextIO, limit: int | None = None) -> bool:
    """Write the result to `out` in one of FORMATS, at most `limit` rows (triples); True when rows were left out.

    CSV, TSV, JSON and graph results stream; the table format holds what it shows, TABLE_ROWS rows by default."""
    if fmt == "table" and limit is None:
        limit = TABLE_ROWS
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        triples, more = _capped(iter(result.triples), limit)
        if fmt == "table":
            out.writelines(sorted(ntriples_line(triple) for triple in triples))
        else:
            out.writelines(ntriples_line(triple) for triple in triples)
        return more()
    if result.form == "ASK":
        out.write(_written(_write_json, result) if fmt == "json" else ("true" if result.boolean else "false") + "\n")
        return False
    rows, more = _capped(iter(result.rows), limit)
    if fmt == "table":
        shown = list(rows)
        cut = more()
        note = f"; only the first {len(shown)} shown: use --limit N, or --format csv, tsv or json" if cut else ""
        out.write(to_table(Result(form="SELECT", variables=result.variables, rows=shown), cut_note=note))
        return cut
    {"csv": _write_csv, "tsv": _write_tsv, "json": _write_json}[fmt](result, out, rows)
    return more()


def _capped(items: Iterator, limit: int | None) -> tuple[Iterator, Callable[[], bool]]:
    """`items` cut after `limit`, and a function saying (once the cut items are consumed) whether more followed."""
    if limit is None:
        return items, lambda: False
    head = itertools.islice(items, limit)
    return head, lambda: next(items, None) is not None
