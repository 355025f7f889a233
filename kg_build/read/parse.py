"""Stage 1: parse the report *format* into the document model.

The format (UN reports as cut from their PDF): a header (body, ``Distr.:``, issue date, languages,
dateline, title); chapters ``一.``; lettered sections ``A.``; un-numbered subsection headings;
numbered paragraphs ``1.``; lettered items ``(a)`` or ``- (a)``; footnotes ``¹ ...`` with markers
in the text; an annex with a tab-separated table. A line that continues a paragraph or item whose
text has not ended (no closing punctuation) is a page or line break, healed by joining the pieces; so is
an unnumbered line of prose after a paragraph (a break at a sentence end) and a line that starts with an
item label inside a sentence (``(a)和(b)``). What stays ambiguous is refused, never made a new unit.
Every step is linear in the size of the text. Nothing here knows any one report's numbers or texts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from kg_build.errors import InputError
from kg_build.read.completeness import completeness_warnings
from kg_build.read.format_rules import FormatRules, format_rules, language_of
from kg_build.read.model import AnnexCells, Document, Header, HeaderRole, Kind, Piece, Unit
from kg_build.read.source import SourceText, read_source

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
SUPER_TO_ASCII = str.maketrans(SUPERSCRIPTS, "0123456789")
SYMBOL_RE = re.compile(r"[A-Z][A-Za-z0-9.]*(?:/[A-Za-z0-9.]+)+")
AGENDA_ITEM_RE = re.compile(r"^\d+(?:\s*\([a-z]\))?$")
SYMBOL_SPLIT_RE = re.compile(r"\s*-\s*(?=[A-Z])")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WRITTEN_DATE_RE = re.compile(r"^(?P<day>\d{1,2})\s+(?P<month>\S+)\s+(?P<year>\d{4})$")
# Header roles in the order their patterns are tried; a line none matches is a body or title line.
HEADER_ORDER = (HeaderRole.DISTRIBUTION, HeaderRole.ORIGINAL_LANGUAGE, HeaderRole.ISSUE_DATE, HeaderRole.SYMBOL,
                HeaderRole.MASTHEAD, HeaderRole.SESSION, HeaderRole.AGENDA_ITEM, HeaderRole.DATELINE)
HEADER_KEY = {HeaderRole.DISTRIBUTION: "distribution", HeaderRole.ORIGINAL_LANGUAGE: "original_language",
              HeaderRole.ISSUE_DATE: "issue_date", HeaderRole.SYMBOL: "symbol", HeaderRole.MASTHEAD: "masthead",
              HeaderRole.SESSION: "session", HeaderRole.AGENDA_ITEM: "agenda_item", HeaderRole.DATELINE: "dateline",
              HeaderRole.LANGUAGE: "language", HeaderRole.SUBTITLE: "subtitle"}


@dataclass(frozen=True)
class Line:
    """A line of the source: 1-based number, offsets of its content (line end excluded), content."""

    number: int
    start: int
    end: int
    content: str


def parse_file(path: Path) -> Document:
    """Read and parse one report file, in the format of the language its name carries."""
    return parse_source(read_source(path))


def parse_source(source: SourceText, rules: FormatRules | None = None) -> Document:
    """Parse decoded report text into a Document, raising InputError on a format violation."""
    rules = rules or format_rules(language_of(source.path))
    lines = split_lines(source.text)
    first_chapter = next((i for i, ln in enumerate(lines) if rules.chapter.match(ln.content.strip())), None)
    if first_chapter is None:
        raise InputError(source.path, 1, f"no chapter heading found (format 'chapter' of data/rules/"
                         f"{rules.path.name}): not a report text, or not in the language its file name says")
    header, header_units = parse_header(source.path, lines[:first_chapter], rules)
    header_markers = tuple(m for unit in header_units for m in unit.footnote_markers)
    body = BodyParser(source.path, len(header_units), rules, header_markers)
    for line in lines[first_chapter:]:
        body.feed(line)
    units = header_units + body.finish()
    return Document(source, header, units, completeness_warnings(source, units, rules), rules.language)


def split_lines(text: str) -> list[Line]:
    """Split text into lines, keeping offsets into `text`; a trailing CR belongs to the line end."""
    lines, offset = [], 0
    for number, raw in enumerate(text.split("\n"), 1):
        content = raw[:-1] if raw.endswith("\r") else raw
        lines.append(Line(number, offset, offset + len(content), content))
        offset += len(raw) + 1
    return lines


def trimmed_piece(line: Line, skip: int = 0) -> tuple[Piece, str]:
    """The piece of `line` after its first `skip` characters, with surrounding blanks trimmed."""
    content = line.content[skip:]
    lead = len(content) - len(content.lstrip())
    text = content.strip()
    start = line.start + skip + lead
    return Piece(start, start + len(text), line.number), text


def join_text(left: str, right: str) -> str:
    """Join two pieces of one sentence: directly in CJK text, with a space between two Latin words (or after
    Latin sentence punctuation)."""
    if left and right and left[-1].isascii() and right[0].isascii() and right[0].isalnum() and (
            left[-1].isalnum() or left[-1] in ",;:.)"):
        return f"{left} {right}"
    return left + right


def append_piece(unit: Unit, piece: Piece, text: str) -> None:
    """Extend `unit` with one more piece of its sentence, keeping the text-to-source segments."""
    joined = join_text(unit.text, text)
    unit.segments.append((len(joined) - len(text), piece.start, len(text)))
    unit.pieces.append(piece)
    unit.text = joined


def is_terminated(text: str, rules: FormatRules | None = None) -> bool:
    """True when `text` ends a sentence or clause (closing quotes and brackets ignored)."""
    rules = rules or format_rules()
    stripped = text.rstrip().rstrip(rules.closers)
    return bool(stripped) and stripped[-1] in rules.terminal


def chinese_numeral(text: str) -> int:
    """Value of a Chinese numeral up to 99 (一 … 十 … 九十九) by the numerals of data/rules/zh.yaml;
    ValueError for anything else (十十, 二二)."""
    return format_rules("zh").numeral(text)


def marker_key(marker: str) -> str:
    """A footnote's key from its marker: ``¹`` and ``1`` are ``1`` (Unicode compatibility folding), ``*`` is
    ``star``, ``**`` ``star_2``."""
    if marker.startswith("*"):
        return "star" if len(marker) == 1 else f"star_{len(marker)}"
    return unicodedata.normalize("NFKC", marker)


def parse_dates(text: str, rules: FormatRules) -> list[date]:
    """All dates in `text` as the language writes them (``2012年10月15日、16日和18日``, ``6-9 November 2015``);
    a date lacking its month or year takes them from the one before it (Chinese) or after it (English), and a
    range (``至``, ``-``) holds every day between its ends."""
    found = []
    for match in rules.date.finditer(text):
        month = match["month"]
        found.append([int(match["year"]) if match["year"] else None,
                      (rules.months.get(month) or int(month)) if month else None, int(match["day"]), match])
    for i in range(1, len(found)):  # carry the year and month forward ...
        found[i][0] = found[i][0] or found[i - 1][0] if found[i][1] is None else found[i][0] or found[i - 1][0]
        found[i][1] = found[i][1] or found[i - 1][1]
    for i in range(len(found) - 2, -1, -1):  # ... and back, for English "6-9 November 2015"
        found[i][0] = found[i][0] or found[i + 1][0]
        found[i][1] = found[i][1] or found[i + 1][1]
    dates: list[date] = []
    previous_end = None
    for year, month, day, match in found:
        if year is None or month is None:
            continue
        this = date(year, month, day)
        if dates and previous_end is not None and rules.date_range.search(text[previous_end : match.start()]):
            fill = dates[-1] + timedelta(days=1)
            while fill < this:
                dates.append(fill)
                fill += timedelta(days=1)
        dates.append(this)
        previous_end = match.end()
    return dates


def parse_cjk_dates(text: str) -> list[date]:
    """All dates written ``2012年10月15日、16日和18日`` or ``15日至16日`` (a range), in order."""
    return parse_dates(text, format_rules("zh"))


def parse_header(path: Path, lines: list[Line], rules: FormatRules | None = None) -> tuple[Header, list[Unit]]:
    """Parse the lines before the first chapter: masthead and symbol, distribution block, body or session,
    dateline (or none: a General Assembly document), agenda item, title and subtitle."""
    rules = rules or format_rules()
    fields: dict[HeaderRole, list[tuple[Line, str]]] = {}
    units: list[Unit] = []
    previous: HeaderRole | None = None
    blank_since = False
    for line in lines:
        content = line.content.strip()
        if not content:
            blank_since = True
            continue
        role, value = _header_role(rules, content, fields, previous, blank_since)
        fields.setdefault(role, []).append((line, value))
        previous, blank_since = role, False
        piece, text = trimmed_piece(line)
        units.append(Unit(Kind.HEADER_LINE, f"header/line_{len(units) + 1}", str(len(units) + 1), text,
                          [piece], len(units) + 1, role=role, segments=[(0, piece.start, len(text))]))
        units[-1].footnote_markers += [marker_key(m["m"]) for m in rules.marker.finditer(text)]
    first_line = lines[0].number if lines else 1

    def need(role: HeaderRole, what: str) -> list[tuple[Line, str]]:
        if role not in fields:
            raise InputError(path, first_line, f"header: missing {what}")
        return fields[role]

    need(HeaderRole.DISTRIBUTION, "the 'Distr.: ...' line")
    dates, place = _meeting(path, rules, fields)
    issued = None
    if HeaderRole.ISSUE_DATE in fields:
        issued_line, issued_text = fields[HeaderRole.ISSUE_DATE][0]
        issued = _issue_date(path, rules, issued_line, issued_text)
    title_text = ""
    for _, text in need(HeaderRole.TITLE, "the report title (after the dateline or the agenda item)"):
        title_text = join_text(title_text, text)
    header = Header(
        parent_bodies=tuple(v for _, v in fields.get(HeaderRole.PARENT_BODY, [])),
        body=" ".join(v for _, v in fields.get(HeaderRole.BODY, [])),
        distribution=fields[HeaderRole.DISTRIBUTION][0][1],
        issued=issued,
        language=_first(fields, HeaderRole.LANGUAGE),
        original_language=_first(fields, HeaderRole.ORIGINAL_LANGUAGE),
        symbol=_first(fields, HeaderRole.SYMBOL) or None,
        meeting_dates=tuple(dates),
        place=place,
        title=title_text,
        subtitle=_first(fields, HeaderRole.SUBTITLE),
        session=_session(path, rules, fields),
        agenda_item=_first(fields, HeaderRole.AGENDA_ITEM),
    )
    return header, units


def _meeting(path: Path, rules: FormatRules, fields: dict[HeaderRole, list[tuple[Line, str]]]) -> tuple[
        list[date], str]:
    """The meeting's dates and place from the dateline; none when the header has no dateline."""
    if HeaderRole.DATELINE not in fields:
        return [], ""
    dateline, date_text = fields[HeaderRole.DATELINE][0]
    match = rules.header["dateline"].match(date_text)
    assert match  # the role was given by this pattern
    try:
        dates = parse_dates(match.group("dates"), rules)
    except ValueError as err:  # 13月, 2月30日
        raise InputError(path, dateline.number, f"header: {date_text!r} holds an impossible date ({err})") from None
    if not dates:
        raise InputError(path, dateline.number, f"header: no date in the dateline {date_text!r}")
    return dates, match.group("place")


def _session(path: Path, rules: FormatRules, fields: dict[HeaderRole, list[tuple[Line, str]]]) -> int | None:
    """The session number of a session line (第五十五届会议, Eighth session)."""
    if HeaderRole.SESSION not in fields:
        return None
    line, text = fields[HeaderRole.SESSION][0]
    if text in rules.ordinals:
        return rules.ordinals[text]
    try:
        return rules.numeral(text)
    except ValueError as err:
        raise InputError(path, line.number, f"header: session number {err}") from None


def _first(fields: dict[HeaderRole, list[tuple[Line, str]]], role: HeaderRole) -> str:
    return fields[role][0][1] if role in fields else ""


def _header_role(rules: FormatRules, content: str, fields: dict[HeaderRole, list[tuple[Line, str]]],
                 previous: HeaderRole | None, blank_since: bool) -> tuple[HeaderRole, str]:
    """Classify one non-blank header line by its form and position: before the distribution block a line is
    the masthead, symbol or parent body; after it the language, body, session, dateline or agenda item; the
    lines right under an agenda item are its title; after the dateline or the agenda item's title come the
    document's title and its subtitle (the words that name its kind)."""
    if previous in (HeaderRole.AGENDA_ITEM, HeaderRole.AGENDA_ITEM_TITLE) and not blank_since:
        return HeaderRole.AGENDA_ITEM_TITLE, content
    if HeaderRole.DATELINE in fields or HeaderRole.AGENDA_ITEM_TITLE in fields:
        if HeaderRole.AGENDA_ITEM not in fields and (match := rules.header["agenda_item"].match(content)):
            return HeaderRole.AGENDA_ITEM, _value(match)
        if HeaderRole.TITLE in fields and rules.header["subtitle"].match(content):
            return HeaderRole.SUBTITLE, content
        return HeaderRole.TITLE, content
    for role in HEADER_ORDER:
        if match := rules.header[HEADER_KEY[role]].match(content):
            return role, _value(match)
    if HeaderRole.DISTRIBUTION in fields and rules.header["language"].match(content):
        return HeaderRole.LANGUAGE, content
    return (HeaderRole.BODY if HeaderRole.DISTRIBUTION in fields else HeaderRole.PARENT_BODY), content


def _value(match: re.Match[str]) -> str:
    return (match.groupdict().get("value") or match.group()).strip()


def _issue_date(path: Path, rules: FormatRules, line: Line, text: str) -> date:
    """Parse ``14 November 2012`` (month names of the rules file) or an ISO date, without the locale."""
    try:
        if match := WRITTEN_DATE_RE.match(text):
            return date(int(match["year"]), rules.issue_months[match["month"]], int(match["day"]))
        return date.fromisoformat(text)
    except (KeyError, ValueError):
        raise InputError(path, line.number, f"header: {text!r} is not a valid date") from None


def expected_label(got: int, expected: int, shown: str) -> str:
    """How to name the missing number: as a digit, a letter or an item letter, like `shown`."""
    if shown.isdigit():
        return str(expected)
    if shown.startswith("("):
        return f"({chr(expected)})"
    if shown.isascii():
        return chr(expected)
    return str(expected)


@dataclass
class OpenText:
    """The paragraph or item a continuation line would extend; its pieces are joined once, when it closes,
    so that healing many lines into one unit stays linear."""

    unit: Unit
    parts: list[str]
    length: int
    last_line: int

    @classmethod
    def of(cls, unit: Unit) -> OpenText:
        return cls(unit, [unit.text], len(unit.text), unit.pieces[-1].line)

    @property
    def tail(self) -> str:
        return self.parts[-1]

    def extend(self, piece: Piece, text: str) -> None:
        """Add one more piece of the sentence, as `append_piece` does, without rebuilding the text."""
        glue = join_text(self.tail[-1:], text[:1])[1:-1] if self.tail and text else ""
        start = self.length + len(glue)
        self.unit.segments.append((start, piece.start, len(text)))
        self.unit.pieces.append(piece)
        self.parts += [glue, text]
        self.length = start + len(text)
        self.last_line = piece.line

    def close(self) -> None:
        self.unit.text = "".join(self.parts)


class BodyParser:
    """Consumes the lines from the first chapter on and builds the units in document order."""

    def __init__(self, path: Path, order_offset: int, rules: FormatRules, header_markers: tuple[str, ...] = ()) -> None:
        self.path = path
        self.rules = rules
        self.units: list[Unit] = []
        self.order = order_offset
        self.chapter: Unit | None = None
        self.section: Unit | None = None
        self.subsection: Unit | None = None
        self.paragraph: Unit | None = None
        self.last_item: Unit | None = None  # the paragraph's latest item: the next one follows its letter
        self.open: OpenText | None = None  # the paragraph or item a continuation line would extend
        self.last_paragraph = 0
        self.paragraph_lines: dict[int, int] = {}
        self.subsection_count = 0
        self.annex: Unit | None = None
        self.annex_state = "title"  # title -> bold-title -> columns -> rows
        self.annex_title_line = 0
        self.annex_rows = 0
        self.footnotes: dict[str, Unit] = {}
        self.seen_markers: set[str] = set(header_markers)  # footnote markers met so far (header included)
        self.annex_titled = False

    # -- dispatch --------------------------------------------------------------------------------
    def feed(self, line: Line) -> None:
        content = line.content.strip()
        if not content:
            return
        if self.annex is not None:
            self._annex_line(line, content)
        elif match := self.rules.chapter.match(content):
            self._chapter(line, match)
        elif match := self.rules.section.match(content):
            self._section(line, match)
        elif match := self.rules.paragraph.match(content):
            self._paragraph(line, match)
        elif match := self.rules.item.match(content):
            self._item_or_inline_label(line, content, match)
        elif (match := self.rules.footnote.match(content)) and self._is_footnote(match):
            self._footnote(line, match)
        elif self.rules.annex.match(content):
            self._start_annex(line)
        elif stray := self.rules.stray_markup.match(content):
            self._unreadable_heading(line, content, stray)
        elif self.open is not None and not is_terminated(self.open.tail, self.rules):
            self._continue(line)  # a page or line break inside a sentence
        elif self.rules.prose_punctuation.search(content):
            self._prose_after_sentence_end(line)
        else:
            self._subsection(line)

    def finish(self) -> list[Unit]:
        """Check what can only be checked at the end, and return the units."""
        self._set_open(None)
        if self.annex is not None and self.annex_state == "bold-title":
            raise InputError(self.path, self.annex_title_line,
                             "unterminated annex title: '**' is opened but never closed")
        if self.annex is not None and self.annex_state != "rows":
            raise InputError(self.path, self.annex.line, "annex: no tab-separated table found")
        for unit in self.units:
            for marker in unit.footnote_markers:
                if marker not in self.footnotes:
                    raise InputError(self.path, unit.line, f"footnote marker {marker} has no footnote")
        return self.units

    # -- units -----------------------------------------------------------------------------------
    def _new(self, kind: Kind, eid: str, number: str, line: Line, skip: int, parent: Unit | None) -> Unit:
        piece, text = trimmed_piece(line, skip)
        self.order += 1
        unit = Unit(kind, eid, number, text, [piece], self.order, parent.eid if parent else None,
                    segments=[(0, piece.start, len(text))])
        self._collect_markers(unit, text)
        self.units.append(unit)
        return unit

    def _set_open(self, unit: Unit | None) -> None:
        """Close the unit being extended (its text is joined now) and open `unit`, if any."""
        if self.open is not None:
            self.open.close()
        self.open = OpenText.of(unit) if unit is not None else None

    def _collect_markers(self, unit: Unit, text: str) -> None:
        if unit.kind in (Kind.PARAGRAPH, Kind.ITEM):
            unit.footnote_markers += [marker_key(m["m"]) for m in self.rules.marker.finditer(text)]
            self.seen_markers.update(unit.footnote_markers)

    def _numeral(self, line: Line, text: str) -> int:
        try:
            return self.rules.numeral(text)
        except ValueError as err:
            raise InputError(self.path, line.number, f"chapter number: {err}") from None

    def _chapter(self, line: Line, match: re.Match[str]) -> None:
        number = self._numeral(line, match["num"])
        expected = self.rules.numeral(self.chapter.number) + 1 if self.chapter else 1
        self._check_sequence("chapter", number, expected, line, match["num"])
        self._set_open(None)
        self.chapter = self._new(Kind.CHAPTER, f"chp_{number}", match["num"], line, match.start("text"), None)
        self.chapter.number = match["num"]
        self.section = self.subsection = self.paragraph = self.last_item = None
        self.subsection_count = 0

    def _section(self, line: Line, match: re.Match[str]) -> None:
        if self.chapter is None:
            raise InputError(self.path, line.number, f"section {match['num']}. outside any chapter")
        expected = ord(self.section.number) + 1 if self.section else ord("A")
        self._check_sequence("section", ord(match["num"]), expected, line, match["num"])
        self._set_open(None)
        self.section = self._new(Kind.SECTION, f"{self.chapter.eid}/sec_{match['num'].lower()}",
                                 match["num"], line, match.start("text"), self.chapter)
        self.subsection = self.paragraph = self.last_item = None
        self.subsection_count = 0

    def _subsection(self, line: Line) -> None:
        container = self.section or self.chapter
        if container is None:
            raise InputError(self.path, line.number, "text outside any chapter")
        self._set_open(None)
        self.subsection_count += 1
        n = self.subsection_count
        self.subsection = self._new(Kind.SUBSECTION, f"{container.eid}/subsec_{n}", str(n), line, 0, container)
        self.paragraph = self.last_item = None

    def _paragraph(self, line: Line, match: re.Match[str]) -> None:
        number = int(match["num"])
        if number in self.paragraph_lines:
            raise InputError(self.path, line.number, f"duplicate paragraph number {number} "
                             f"(first at line {self.paragraph_lines[number]})")
        self._check_sequence("paragraph", number, self.last_paragraph + 1, line, match["num"])
        container = self.subsection or self.section or self.chapter
        self.paragraph = self._new(Kind.PARAGRAPH, f"para_{number}", match["num"], line,
                                   match.start("text"), container)
        self.paragraph_lines[number] = line.number
        self.last_paragraph = number
        self.last_item = None
        self._set_open(self.paragraph)

    def _item_or_inline_label(self, line: Line, content: str, match: re.Match[str]) -> None:
        """A line starting ``(a)``: an item, or the rest of a sentence a page break cut before an inline label."""
        if self.rules.inline_item.match(content):
            if self.open is None:
                raise InputError(self.path, line.number, f"'{content[:12]}…' reads as an item label inside a "
                                 "sentence, but no paragraph is open to carry it on")
            self._continue(line)
        elif self.open is not None and not is_terminated(self.open.tail, self.rules):
            raise InputError(self.path, line.number, f"item ({match['num']}) follows an unfinished sentence "
                             f"(line {self.open.last_line} ends without 。；：？！): a page break before an "
                             "inline item label, or a missing punctuation mark")
        else:
            self._item(line, match)

    def _item(self, line: Line, match: re.Match[str]) -> None:
        if self.paragraph is None:
            raise InputError(self.path, line.number, f"item ({match['num']}) outside any paragraph")
        expected = ord(self.last_item.number) + 1 if self.last_item else ord("a")
        self._check_sequence(f"paragraph {self.paragraph.number} item", ord(match["num"]), expected, line,
                             f"({match['num']})")
        self.last_item = self._new(Kind.ITEM, f"{self.paragraph.eid}/item_{match['num']}", match["num"], line,
                                   match.start("text"), self.paragraph)
        self._set_open(self.last_item)

    def _is_footnote(self, match: re.Match[str]) -> bool:
        """A footnote line, not a heading behind stray stars (``**3.``) nor a line of prose that starts with a
        figure: a footnote in plain figures (``1 United Nations, …``) needs its marker in the text before it."""
        rest = match["text"]
        if any(r.match(rest) for r in (self.rules.chapter, self.rules.section, self.rules.paragraph, self.rules.item)):
            return False
        number = match["num"]
        return not number.isascii() or not number.isdigit() or marker_key(number) in self.seen_markers

    def _footnote(self, line: Line, match: re.Match[str]) -> None:
        number = marker_key(match["num"])
        if number in self.footnotes:
            raise InputError(self.path, line.number, f"duplicate footnote {number}")
        self.footnotes[number] = self._new(Kind.FOOTNOTE, f"fn_{number}", number, line, match.start("text"), None)

    def _continue(self, line: Line) -> None:
        """Heal a page or line break: the line carries on the open unit's sentence."""
        assert self.open is not None
        piece, text = trimmed_piece(line)
        self.open.extend(piece, text)
        self._collect_markers(self.open.unit, text)

    def _prose_after_sentence_end(self, line: Line) -> None:
        """An unnumbered line of prose after a finished sentence: a page break at a sentence end, healed
        into the open paragraph or item; with none open it is refused (a lost paragraph number)."""
        if self.open is None:
            raise InputError(self.path, line.number, "unnumbered prose outside any paragraph: not a heading "
                             "(it has sentence punctuation) and no paragraph to carry on (a number missing?)")
        self._continue(line)

    def _unreadable_heading(self, line: Line, content: str, stray: re.Match[str]) -> None:
        """Markup before a heading or number (``## 二.``): refused here rather than misread later."""
        rest = content[stray.end():]
        if any(r.match(rest) for r in (self.rules.chapter, self.rules.section, self.rules.paragraph, self.rules.item)):
            raise InputError(self.path, line.number, f"unreadable heading or number {content[:24]!r}: "
                             f"stray {stray.group().strip()!r} before it")
        if self.open is not None and not is_terminated(self.open.tail, self.rules):
            self._continue(line)
        elif self.rules.prose_punctuation.search(content):
            self._prose_after_sentence_end(line)
        else:
            self._subsection(line)

    def _check_sequence(self, what: str, got: int, expected: int, line: Line, shown: str) -> None:
        """Numbers run 1, 2, 3 (or a, b, c): name the gap or the step back."""
        if got > expected:
            missing = expected_label(got, expected, shown)
            raise InputError(self.path, line.number, f"{what} {shown} skips ahead: {what} {missing} is missing")
        if got < expected:
            raise InputError(self.path, line.number, f"{what} {shown} is out of order or repeated")

    # -- annex -----------------------------------------------------------------------------------
    def _start_annex(self, line: Line) -> None:
        self._set_open(None)
        self.annex = self._new(Kind.ANNEX, "annex", "", line, 0, None)
        self.annex_titled = False
        self.paragraph = self.last_item = None

    def _annex_line(self, line: Line, content: str) -> None:
        assert self.annex is not None
        if self.annex_state == "bold-title":
            self._annex_title(line, content)
        elif "\t" in line.content:
            self._annex_table_line(line)
        elif self.annex_state == "title":
            self.annex_title_line = line.number
            if content.startswith("**"):
                self.annex_state = "bold-title"
            self._annex_title(line, content)
        else:
            raise InputError(self.path, line.number,
                             "malformed annex row: expected tab-separated cells (symbol, agenda items, title)")

    def _annex_title(self, line: Line, content: str) -> None:
        assert self.annex is not None
        skip = line.content.index(content[:2]) + 2 if content.startswith("**") else 0
        piece, text = trimmed_piece(line, skip)
        if text.endswith("**"):
            piece, text = Piece(piece.start, piece.end - 2, piece.line), text[:-2].rstrip()
            self.annex_state = "title"
        if self.annex_titled:
            append_piece(self.annex, piece, text)
        else:
            self.annex.heading_line = self.annex.pieces[0].line
            self.annex.pieces, self.annex.text, self.annex_titled = [piece], text, True
            self.annex.segments = [(0, piece.start, len(text))]

    def _annex_table_line(self, line: Line) -> None:
        assert self.annex is not None
        cells = line.content.split("\t")
        if self.annex_state == "title":  # the first tab line holds the column headings
            self._check_cells(line, cells)
            self.annex_state = "rows"
            return
        self._check_cells(line, cells)
        symbols = self._symbols(line, cells[0])
        agenda = self._agenda_items(line, cells[1])
        self.annex_rows += 1
        row = self._new(Kind.ANNEX_ROW, f"annex/row_{self.annex_rows}", str(self.annex_rows), line, 0, self.annex)
        row.cells = AnnexCells(symbols, agenda, cells[2].strip())
        row.text = row.cells.title  # the row's prose; its quote is the whole line
        title_at = line.start + len(cells[0]) + len(cells[1]) + 2
        title_at += len(cells[2]) - len(cells[2].lstrip())
        row.segments = [(0, title_at, len(row.text))]

    def _check_cells(self, line: Line, cells: list[str]) -> None:
        if len(cells) < 3 or not cells[-1].strip():
            raise InputError(self.path, line.number, "unterminated annex row: expected 3 tab-separated cells "
                             f"(symbol, agenda items, title), found {len([c for c in cells if c.strip()])}")
        if len(cells) > 3:
            raise InputError(self.path, line.number,
                             f"malformed annex row: expected 3 tab-separated cells, found {len(cells)}")

    def _symbols(self, line: Line, cell: str) -> tuple[str, ...]:
        symbols = tuple(s.strip() for s in SYMBOL_SPLIT_RE.split(cell.strip()))
        bad = [s for s in symbols if not SYMBOL_RE.fullmatch(s)]
        if bad or not cell.strip():
            raise InputError(self.path, line.number,
                             f"malformed annex row: {cell.strip()!r} is not a document symbol (like A/B/2012/1)")
        return symbols

    def _agenda_items(self, line: Line, cell: str) -> tuple[str, ...]:
        if not cell.strip():
            return ()
        items = tuple(re.sub(r"\s+", "", i).replace("（", "(").replace("）", ")")
                      for i in self.rules.agenda_cell_separators.split(cell.strip()))
        if not all(AGENDA_ITEM_RE.match(i) for i in items):
            raise InputError(self.path, line.number,
                             f"malformed annex row: {cell.strip()!r} is not a list of agenda items (like '4 和 5')")
        return items
