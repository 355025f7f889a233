"""Signs that a report text was cut short: build warnings (file and line), not errors, since the text
that is there still parses."""

from __future__ import annotations

from kg_build.read.format_rules import FormatRules
from kg_build.read.model import Kind, Unit
from kg_build.read.source import SourceText

PROSE = (Kind.PARAGRAPH, Kind.ITEM)


def completeness_warnings(source: SourceText, units: list[Unit], rules: FormatRules) -> list[str]:
    """Warn when the last paragraph or item ends mid-sentence, or when the text refers to an annex it lacks."""
    warnings = []
    prose = [u for u in units if u.kind in PROSE]
    if prose and not rules.sentence_end.search(prose[-1].text):
        last = prose[-1]
        warnings.append(f"{source.path.name}:{last.pieces[-1].line}: {last.eid}: the report ends mid-sentence "
                        "(its last paragraph lacks sentence-final punctuation): is the text cut short?")
    if not any(u.kind is Kind.ANNEX for u in units):
        for unit in prose:
            if match := rules.annex_reference.search(unit.text):
                line = source.line_of(unit.source_offset(match.start()))
                warnings.append(f"{source.path.name}:{line}: {unit.eid}: {match.group()!r} refers to an annex "
                                "the report lacks: is the text cut short?")
                break
    return warnings
