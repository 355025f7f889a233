"""Query results in one engine-neutral shape, and their output formats: an aligned table for people, W3C
SPARQL 1.1 CSV and TSV, and SPARQL 1.1 JSON results."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg_build.namespaces import PREFIXES
from kg_build.sparql.terms import Term, from_json, to_json, to_ntriples

FORMATS = ("table", "csv", "tsv", "json")
TABLE_CELL_WIDTH = 60  # display columns; longer cells are cut with "…" in the table format only


@dataclass
class Result:
    """A query's answer: SELECT rows (dicts of RDF terms, unbound variables absent), an ASK boolean, or
    CONSTRUCT/DESCRIBE triples."""

    form: str  # SELECT, ASK, CONSTRUCT, DESCRIBE
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Term]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)

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


def from_sparql_json(data: dict) -> Result:
    """A Result from a parsed SPARQL 1.1 JSON results document (SELECT or ASK)."""
    if "boolean" in data:
        return Result(form="ASK", boolean=bool(data["boolean"]))
    variables = list(data.get("head", {}).get("vars", []))
    rows = [
        {name: from_json(value) for name, value in binding.items()}
        for binding in data.get("results", {}).get("bindings", [])
    ]
    return Result(form="SELECT", variables=variables, rows=rows)


def to_sparql_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.form == "ASK":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)})
    bindings = [{var: to_json(row[var]) for var in result.variables if var in row} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)


def to_csv(result: Result) -> str:
    """SPARQL 1.1 CSV results: variable names, then IRIs and literal lexical forms only, CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_cell(row.get(var)) for var in result.variables])
    return buffer.getvalue()


def _csv_cell(term: Term | None) -> str:
    """One CSV field: unbound is empty, a blank node is `_:label`, anything else its plain text."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def to_tsv(result: Result) -> str:
    """SPARQL 1.1 TSV results: `?var` headers, terms in N-Triples/Turtle syntax, LF line ends."""
    lines = ["\t".join(f"?{var}" for var in result.variables)]
    for row in result.rows:
        lines.append("\t".join(to_ntriples(row[var]) if var in row else "" for var in result.variables))
    return "\n".join(lines) + "\n"


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
        best = max((ns for ns in PREFIXES.items() if iri.startswith(str(ns[1]))), key=lambda ns: len(ns[1]),
                   default=None)
        return f"{best[0]}:{iri[len(best[1]):]}" if best else f"<{iri}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return " ".join(str(term).split())
    return str(term)


def to_table(result: Result, cell_width: int = TABLE_CELL_WIDTH) -> str:
    """An aligned text table, wide characters counted as two columns, with the row count at the end."""
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
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(lines) + "\n"


def to_ntriples_text(result: Result) -> str:
    """CONSTRUCT/DESCRIBE triples as sorted N-Triples lines."""
    return "".join(sorted(" ".join(to_ntriples(t) for t in triple) + " .\n" for triple in result.triples))


def render(result: Result, fmt: str) -> str:
    """The result in one of FORMATS (graph results are N-Triples whatever the format, ASK a boolean)."""
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        return to_ntriples_text(result)
    if fmt == "table":
        return to_table(result)
    if result.form == "ASK" and fmt in ("csv", "tsv"):
        return ("true" if result.boolean else "false") + "\n"
    return {"csv": to_csv, "tsv": to_tsv, "json": lambda r: to_sparql_json(r) + "\n"}[fmt](result)
