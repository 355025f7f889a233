"""The document model the parser produces: a report header and its text units, each with offsets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property

from kg_build.read.source import SourceText


class Kind(StrEnum):
    """The kinds of text unit a report is made of (the value is also the ontology class suffix)."""

    HEADER_LINE = "HeaderLine"
    CHAPTER = "Chapter"
    SECTION = "Section"
    SUBSECTION = "Subsection"
    PARAGRAPH = "Paragraph"
    ITEM = "Item"
    FOOTNOTE = "Footnote"
    ANNEX = "Annex"
    ANNEX_ROW = "AnnexRow"


class HeaderRole(StrEnum):
    """What a header line states."""

    MASTHEAD = "masthead"
    PARENT_BODY = "parentBody"
    DISTRIBUTION = "distribution"
    ISSUE_DATE = "issueDate"
    LANGUAGE = "language"
    ORIGINAL_LANGUAGE = "originalLanguage"
    SYMBOL = "symbol"
    BODY = "body"
    SESSION = "session"
    DATELINE = "dateline"
    AGENDA_ITEM = "agendaItem"
    AGENDA_ITEM_TITLE = "agendaItemTitle"
    TITLE = "title"
    SUBTITLE = "subtitle"


@dataclass(frozen=True)
class Piece:
    """One contiguous stretch of the source (a line's content); a healed unit has several."""

    start: int
    end: int
    line: int


@dataclass(frozen=True)
class AnnexCells:
    """The cells of one annex table row: symbols (``X- Y`` is two), agenda items (``4 和 5`` is two), title."""

    symbols: tuple[str, ...]
    agenda_items: tuple[str, ...]
    title: str


@dataclass
class Unit:
    """A text unit: its kind, Akoma-Ntoso-style id under the report, number as written, healed text."""

    kind: Kind
    eid: str
    number: str
    text: str
    pieces: list[Piece]
    order: int
    parent: str | None = None
    role: HeaderRole | None = None
    footnote_markers: list[str] = field(default_factory=list)
    cells: AnnexCells | None = None
    segments: list[tuple[int, int, int]] = field(default_factory=list)  # (text offset, source offset, length)
    heading_line: int | None = None  # where a unit starts whose text is a later line (the annex's title)

    def source_offset(self, index: int) -> int:
        """The source offset of character `index` of the unit's (healed) text."""
        for text_start, source_start, length in self.segments:
            if text_start <= index < text_start + length:
                return source_start + index - text_start
        raise IndexError(f"{self.eid}: text offset {index} outside the unit's segments")

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source offsets of the text stretch [start, end) (a stretch lies within one segment or spans a join)."""
        return self.source_offset(start), self.source_offset(end - 1) + 1

    @property
    def start(self) -> int:
        return self.pieces[0].start

    @property
    def end(self) -> int:
        return self.pieces[-1].end

    @property
    def line(self) -> int:
        return self.heading_line or self.pieces[0].line

    @property
    def healed(self) -> bool:
        """True when the unit was joined across a page or line break."""
        return len(self.pieces) > 1


@dataclass(frozen=True)
class Header:
    """What the report's header states, in the report's own words (dates parsed)."""

    parent_bodies: tuple[str, ...]
    body: str
    distribution: str
    issued: date | None
    language: str
    original_language: str
    symbol: str | None
    meeting_dates: tuple[date, ...]
    place: str
    title: str
    subtitle: str = ""
    session: int | None = None
    agenda_item: str = ""


@dataclass
class Document:
    """A parsed report: its source, header and units in document order."""

    source: SourceText
    header: Header
    units: list[Unit]
    warnings: list[str] = field(default_factory=list)  # signs of a cut text: the build prints them
    language: str = "zh"  # ISO 639-1 code of the text's language, from its file name

    def unit(self, eid: str) -> Unit:
        """The unit with id `eid` (KeyError when absent); a dictionary look-up, so callers may ask per unit."""
        return self._by_eid[eid]

    def has_unit(self, eid: str) -> bool:
        return eid in self._by_eid

    @cached_property
    def _by_eid(self) -> dict[str, Unit]:
        return {unit.eid: unit for unit in self.units}

    def of_kind(self, kind: Kind) -> list[Unit]:
        return [u for u in self.units if u.kind is kind]

    def children(self, eid: str, kind: Kind) -> list[Unit]:
        """The units of `kind` directly under `eid`, in document order (indexed once, so callers may ask per unit)."""
        return self._children.get((eid, kind), [])

    @cached_property
    def _children(self) -> dict[tuple[str, Kind], list[Unit]]:
        index: dict[tuple[str, Kind], list[Unit]] = {}
        for unit in self.units:
            if unit.parent:
                index.setdefault((unit.parent, unit.kind), []).append(unit)
        return index
