"""Put --bind values into a query for a remote endpoint as one VALUES row of serialized RDF terms.

A trailing VALUES clause (after the solution modifiers) is the textbook place, but Virtuoso 7.2 evaluates it
wrongly when the body holds a BIND (seen here: every row came back, the bound column overwritten with the value;
its final VALUES is an SQL join of result sets, openlink/virtuoso-opensource#430). So the row goes at the end of
the WHERE group, where stores join inline data as the algebra says: the same answers, since a bound variable
is projected. A variable the SELECT clause computes (`(expr AS ?x)`, aggregates) is not in scope inside the
group, so a query binding one keeps the trailing clause.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kg_build.sparql.terms import Term, to_ntriples

# What may hold braces or parentheses without being one: long and short strings, IRIs, comments.
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*"
)


def values_row(bindings: Mapping[str, Term]) -> str:
    """`VALUES (?a ?b) { (term term) }` for the bindings, names sorted."""
    names = sorted(bindings)
    row = " ".join(to_ntriples(bindings[name]) for name in names)
    return f"VALUES ({' '.join('?' + name for name in names)}) {{ ({row}) }}"


def with_values(text: str, bindings: Mapping[str, Term], computed: frozenset[str] = frozenset()) -> str:
    """`text` with the bindings joined as inline data: at the end of the WHERE group, or trailing when a bound
    variable is in `computed` (assigned by the SELECT clause) or the WHERE group cannot be found."""
    block = values_row(bindings)
    end = None if computed & set(bindings) else _where_group_end(text)
    if end is None:
        return f"{text}\n{block}\n"
    return f"{text[:end]}\n  {block}\n{text[end:]}"


def _where_group_end(text: str) -> int | None:
    """The offset of the `}` closing the WHERE group: the first `{` outside parentheses (SELECT expressions,
    EXISTS in them included, are parenthesized; prologue and dataset clauses hold no braces) and its match."""
    depth_paren = depth_brace = 0
    position = 0
    while position < len(text):
        skipped = _SKIP.match(text, position)
        if skipped and skipped.end() > position:
            position = skipped.end()
            continue
        char = text[position]
        if char == "(" and depth_brace == 0:
            depth_paren += 1
        elif char == ")" and depth_brace == 0:
            depth_paren -= 1
        elif char == "{" and (depth_brace or depth_paren == 0):
            depth_brace += 1
        elif char == "}" and depth_brace:
            depth_brace -= 1
            if depth_brace == 0:
                return position
        position += 1
    return None
