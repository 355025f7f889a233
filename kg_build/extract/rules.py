"""Stage 2: extract what a report says, by rules that read the format (data/rules/LANG.yaml, the report's
language) and names from the registries' gazetteer — never per-paragraph code. Every fact keeps the unit it
came from. The rules see the text with its punctuation folded (data/rules/LANG.yaml ``fold``: half-width and
full-width alike), one code point for one, so offsets stay those of the source text."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from kg_build.errors import InputError
from kg_build.extract.dates import read_dates
from kg_build.extract.facts import (
    Citation,
    Extraction,
    JointMeeting,
    Membership,
    Mention,
    Outcome,
    Participation,
    Question,
    Span,
    Statement,
)
from kg_build.paths import DATA_DIR
from kg_build.read.format_rules import DEFAULT_LANGUAGE, format_rules, rules_path
from kg_build.read.model import Document, HeaderRole, Kind, Unit
from kg_build.read.parse import SUPER_TO_ASCII, parse_dates
from kg_build.reference.entities import Concept, Gazetteer, Match, Registries

RULES_FILE = DATA_DIR / "rules" / f"{DEFAULT_LANGUAGE}.yaml"
PROSE = (Kind.PARAGRAPH, Kind.ITEM)
HEADINGS = (Kind.CHAPTER, Kind.SECTION, Kind.SUBSECTION)
AGENT_KINDS = ("state", "body", "network", "organization", "group")
MENTION_TYPES = {"state": "State", "body": "Body", "network": "Network", "organization": "Organization",
                 "group": "Group", "person": "Person", "place": "Place", "convention": "Convention",
                 "decision": "Decision", "resolution": "Resolution"}


@dataclass
class Rules:
    """The compiled format rules of one report language."""

    raw: dict[str, Any]

    @classmethod
    def load(cls, path: Path = RULES_FILE) -> Rules:
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")))

    @classmethod
    def for_language(cls, language: str) -> Rules:
        """The rules of data/rules/{language}.yaml."""
        return cls.load(rules_path(language))

    @cached_property
    def fold_table(self) -> dict[int, str]:
        """One character for another, so that the rules match full-width and half-width punctuation alike."""
        return str.maketrans(self.raw.get("fold") or {})

    def fold(self, text: str) -> str:
        """`text` with its punctuation folded: same length, same offsets."""
        return text.translate(self.fold_table)

    def __getattr__(self, name: str) -> re.Pattern[str]:
        try:
            return self._compiled[name]
        except KeyError:
            raise AttributeError(name) from None

    @cached_property
    def _compiled(self) -> dict[str, re.Pattern[str]]:
        return {k: re.compile(v) for k, v in self.raw.items() if isinstance(v, str)}


def extract(doc: Document, registries: Registries, rules: Rules | None = None) -> Extraction:
    """Run every rule over the document."""
    rules = rules or Rules.for_language(doc.language)
    return Extractor(folded(doc, rules), registries, rules).run()


def folded(doc: Document, rules: Rules) -> Document:
    """A view of `doc` whose unit texts are folded for matching (the document itself keeps its source text)."""
    units = [replace(unit, text=rules.fold(unit.text)) for unit in doc.units]
    assert all(len(a.text) == len(b.text) for a, b in zip(units, doc.units, strict=True))
    return Document(doc.source, doc.header, units, doc.warnings, doc.language)


class Extractor:
    """Applies the rules to one document, collecting facts and warnings into an Extraction."""

    def __init__(self, doc: Document, registries: Registries, rules: Rules) -> None:
        self.doc, self.reg, self.rules = doc, registries, rules
        self.gazetteer: Gazetteer = registries.gazetteer_for(doc.language, tuple(rules.raw.get("not_names") or ()))
        self.out = Extraction()
        self.matches: dict[str, list[Match]] = {u.eid: self._outside_symbols(u.text, self.gazetteer.find(u.text))
                                                for u in doc.units}

    def _outside_symbols(self, text: str, found: list[Match]) -> list[Match]:
        """Names inside a document symbol are part of the symbol, not mentions (the COP of CTOC/COP/2016/1)."""
        symbols = [m.span() for m in self.rules.symbol.finditer(text)]
        return [m for m in found if not any(s <= m.start < e for s, e in symbols)]

    def run(self) -> Extraction:
        self._context()
        self._meeting_dates()
        for unit in self.doc.units:  # first what names and cites, which the later rules read
            self._mentions(unit)
            if unit.kind in PROSE + HEADINGS + (Kind.FOOTNOTE, Kind.ANNEX_ROW):
                self._provisions(unit)
                self._acts(unit)
                self._documents(unit)
            if unit.kind in PROSE + (Kind.FOOTNOTE,):
                self._state_lists(unit)
                self._states_between(unit)
        for unit in self.doc.units:
            if unit.kind is Kind.PARAGRAPH:
                self._statements(unit)
                self._panel(unit)
                self._members(unit)
                self._lists(unit)
                self._paragraph_outcome(unit)
                self._meeting_facts(unit)
            if unit.kind in PROSE:
                self._agenda_items(unit)
                self._question_sentences(unit)
        self.out.mentions = list(dict.fromkeys(self.out.mentions))
        self.out.warnings = list(dict.fromkeys(self.out.warnings))
        return self.out

    # -- context: which body, convention, instrument and session the report is about --------------
    def _context(self) -> None:
        """Read the header (report body, parent body, convention, session), then settle every ambiguous name
        of the report by its instrument."""
        header = self.doc.of_kind(Kind.HEADER_LINE)
        for unit in header:
            keys = [m.key for m in self.matches[unit.eid]]
            if unit.role is HeaderRole.BODY:
                self.out.report_body = next((k for k in keys if k.startswith("body/")), None)
                if self.out.report_body is None:
                    self._warn(unit, unit.text, "body line names no body of data/registries/bodies.yaml")
            elif unit.role is HeaderRole.PARENT_BODY:
                self.out.parent_body = next((k for k in keys if k.startswith("body/")), self.out.parent_body)
                conventions = [k for k in keys if k.startswith("convention/")] + self._conventions_in(unit.text)
                self.out.convention = conventions[0].split("/", 1)[1] if conventions else self.out.convention
            elif unit.role is HeaderRole.TITLE:
                self._title_numbers(unit)
        self.out.instrument = self._instrument()
        self.matches = {u.eid: [self._resolve(u, m) for m in found] for u in self.doc.units
                        for found in [self.matches[u.eid]]}
        for unit in header:
            if unit.role is HeaderRole.PARENT_BODY:
                keys = [m.key for m in self.matches[unit.eid]]
                self.out.parent_body = next((k for k in keys if k.startswith("body/")), self.out.parent_body)

    def _instrument(self) -> str | None:
        """The Convention the report serves: its body's `instrument` (bodies.yaml), else the Convention the
        header names (a Protocol counts as the Convention it supplements)."""
        body = self.reg.entities.get(self.out.report_body or "")
        if body and body.instrument:
            return body.instrument
        convention = self.reg.conventions.get(self.out.convention or "", {})
        return convention.get("supplements") or self.out.convention

    def _resolve(self, unit: Unit, match: Match) -> Match:
        """An ambiguous name (an alias of several bodies): the body the same unit names by a longer name holding
        it (one Conference's full name), else the one of the report's instrument; unresolved, it stays."""
        if match.key:
            return match
        named = {m.key for m in self.matches[unit.eid] if m.key in match.owners and match.text in m.text}
        if len(named) == 1:
            return replace(match, key=named.pop(), owners=())
        mine = [k for k in match.owners if self.reg.entities[k].instrument == self.out.instrument]
        if self.out.instrument and len(mine) == 1:
            return replace(match, key=mine[0], owners=())
        return match

    def _title_numbers(self, unit: Unit) -> None:
        """The session (第十二届会议) and meeting (第四次会议) the report title names."""
        session = self.rules.session_number.search(unit.text)
        if session:
            self.out.session_number = self._numeral(session["n"])
        meeting = self.rules.meeting_number.search(unit.text)
        if meeting:
            self.out.meeting_number = self._numeral(meeting["n"])

    def _meeting_dates(self) -> None:
        """The meeting's first and last day and the days the dateline names one by one (not those of a range)."""
        for unit in self.doc.of_kind(Kind.HEADER_LINE):
            if unit.role is HeaderRole.DATELINE and "date" not in self.rules.raw:  # dates the parser read
                days = sorted(self.doc.header.meeting_dates)
                if days:
                    self.out.meeting_start, self.out.meeting_end = days[0], days[-1]
                    self.out.meeting_days = [] if self.rules.date_range.search(unit.text) else days
            elif unit.role is HeaderRole.DATELINE:
                try:
                    stated = read_dates(unit.text, self.rules.date, self.rules.date_range)
                except ValueError as err:
                    raise InputError(self.doc.source.path, unit.line, f"dateline: {err}") from None
                if stated:
                    self.out.meeting_days = stated.named_days
                    self.out.meeting_start, self.out.meeting_end = stated.start, stated.end

    def _conventions_in(self, text: str) -> list[str]:
        """Conventions named anywhere in `text`, inside a body's name too, blanks between two CJK characters
        left out, so that spacing never decides (``…公约 缔约方会议`` and ``…公约缔约方会议`` both name it)."""
        return [m.key for m in self._convention_names.find(re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", text))]

    @cached_property
    def _convention_names(self) -> Gazetteer:
        return Gazetteer([(form, key) for form, key in self.reg.name_forms(self.doc.language)
                          if key.startswith("convention/")])

    # -- mentions and citations --------------------------------------------------------------------
    def _mentions(self, unit: Unit) -> None:
        for m in self.matches[unit.eid]:
            kind = (m.key or m.owners[0]).split("/", 1)[0]
            span = Span(unit.eid, m.start, m.end, m.text)
            self.out.mentions.append(Mention(span, MENTION_TYPES[kind], m.key or None))
            if m.key:
                self.reg.mark_used(m.key)
            else:
                self._warn(unit, m.text, f"ambiguous name ({', '.join(m.owners)}) that the report's instrument "
                                         f"({self.out.instrument}) does not settle (unlinked mention)")

    def _state_lists(self, unit: Unit) -> None:
        """A list of States in prose (甲、乙和丙等国): every entry is a State, linked or kept as an unlinked
        mention with a warning. The list runs back from 等国 to a list-opening word or the clause's start;
        in its first entry, a name the registries know marks where the list begins."""
        for end in self.rules.state_list_end.finditer(unit.text):
            clause = [m.end() for m in self.rules.list_clause_end.finditer(unit.text, 0, end.start())]
            start = clause[-1] if clause else 0
            intro = [m.end() for m in self.rules.list_intro.finditer(unit.text, start, end.start())]
            start = intro[-1] if intro else start
            separator = re.compile(self.rules.raw["list_separators"]).search(unit.text, start, end.start())
            first_end = separator.start() if separator else end.start()
            first = [m.start for m in self.matches[unit.eid] if start <= m.start and m.end <= first_end and m.key]
            self._listed_agents(unit, first[0] if first else start, end.start(), "State")

    def _states_between(self, unit: Unit) -> None:
        """An entry between two States of one enumeration in prose (Kyrgyzstan, Freedonia and Mongolia) is a
        State too: a name no registry knows is kept as an unlinked mention with a warning. The gap must hold
        only list separators around entries shaped like a name (list_entry in the rules)."""
        states = [m for m in self.matches[unit.eid] if m.key.startswith("state/")]
        separators = re.compile(self.rules.raw["list_separators"])
        for left, right in zip(states, states[1:], strict=False):
            gap = unit.text[left.end : right.start]
            pieces = separators.split(gap)
            if len(pieces) < 3 or pieces[0].strip() or pieces[-1].strip():
                continue  # not enclosed by separators on both sides
            entries = [p.strip() for p in pieces[1:-1]]
            if all(self.rules.list_entry.fullmatch(e) for e in entries if e):
                self._listed_agents(unit, left.end, right.start, "State")

    def _provisions(self, unit: Unit) -> None:
        for sentence_start, sentence in self._sentences(unit.text):
            convention: str | None = None
            unknown_name = ""
            found = list(self.rules.provision.finditer(sentence))
            shared = self._names_after(sentence, found)
            for m, after in zip(found, shared, strict=True):
                named = self.rules.named_convention.search(sentence[: m.start()])
                name = after or (named["name"] if named else None)
                if name and not self._is_anaphora(name):
                    convention = self._convention_by_name(name) or UNKNOWN
                    unknown_name = name
                if convention == UNKNOWN:  # named, or referred back to, but not in the registries
                    self._warn(unit, m.group(0), f"cites {unknown_name!r}, a convention not in "
                               "data/registries/conventions.yaml (not linked)")
                    continue
                conv = convention or self.out.convention
                if conv is None:
                    self._warn(unit, m.group(0), "provision cited but the report names no convention")
                    continue
                self._cite_provision(unit, sentence_start, m, conv)
                for more in self._list_more(sentence, m.end()):  # "articles 5 and 10": 10 as well
                    self._cite_provision(unit, sentence_start, more, conv, listed=True)

    def _cite_provision(self, unit: Unit, offset: int, m: re.Match[str], conv: str, listed: bool = False) -> None:
        article = int(m["article"])
        key = f"convention/{conv}/art_{article}"
        key += f"/para_{int(m['paragraph'])}" if m["paragraph"] else ""
        known = self._provision_known(conv, article, m["paragraph"])
        if not known:
            self._warn(unit, m.group(0), f"{conv} has no such provision in data/registries/conventions.yaml")
        start = m.start("article") if listed else m.start()  # a list's further number: the words from it on
        self._cite(unit, offset + start, offset + m.end(), "provision", key, known)
        self.reg.mark_used(f"convention/{conv}")

    def _list_more(self, sentence: str, end: int) -> list[re.Match[str]]:
        """The further provisions of a list that names "articles" once (``provision_list_more`` of the rules)."""
        more = self._compiled_optional("provision_list_more")
        found = []
        while more and (match := more.match(sentence, end)):
            found.append(match)
            end = match.end()
        return found

    def _names_after(self, sentence: str, found: list[re.Match[str]]) -> list[str | None]:
        """The convention each provision names after it; a provision that a list joins to the next one
        ("article 6, paragraph 3, and article 9, paragraph 1, of …") shares the next one's."""
        names = [self._named_after(sentence, self._list_end(sentence, m.end())) for m in found]
        for i in range(len(found) - 2, -1, -1):
            if names[i] is None and names[i + 1] and re.fullmatch(self.rules.raw.get("list_joiner", r"(?!)"),
                                                                  sentence[found[i].end() : found[i + 1].start()]):
                names[i] = names[i + 1]
        return names

    def _list_end(self, sentence: str, end: int) -> int:
        """Where a list that names "articles" once ends ("articles 6 and 9"): past its further numbers."""
        more = self._compiled_optional("provision_list_more")
        while more and (match := more.match(sentence, end)):
            end = match.end()
        return end

    def _named_after(self, sentence: str, end: int) -> str | None:
        """The convention named right after a provision ("article 6, paragraph 3, of the … Protocol"), where the
        language names it there (``named_convention_after`` of the rules); None otherwise."""
        pattern = self._compiled_optional("named_convention_after")
        match = pattern.match(sentence, end) if pattern else None
        return match["name"] if match else None

    def _is_anaphora(self, name: str) -> bool:
        pattern = self._compiled_optional("named_convention_anaphora")
        return bool(pattern and pattern.match(name))

    def _compiled_optional(self, key: str) -> re.Pattern[str] | None:
        return getattr(self.rules, key) if key in self.rules.raw else None

    def _convention_by_name(self, name: str) -> str | None:
        """A convention by a name in the report's language: ``name_LANG``, ``aliases_LANG`` (``short_LANG``)."""
        lang = self.doc.language
        for slug, entry in self.reg.conventions.items():
            names = [entry.get(f"name_{lang}"), entry.get(f"short_{lang}"), *(entry.get(f"aliases_{lang}") or [])]
            if name in names:
                return slug
        return None

    def _provision_known(self, convention: str, article: int, paragraph: str | None) -> bool:
        entry = self.reg.conventions.get(convention, {})
        if not 1 <= article <= int(entry.get("article_count", 0)):
            return False
        if paragraph is None:
            return True
        listed = {int(a["number"]): a for a in entry.get("articles") or []}
        count = listed.get(article, {}).get("paragraph_count")
        return count is None or 1 <= int(paragraph) <= int(count)

    def _acts(self, unit: Unit) -> None:
        """Every act of an act list (第 5/2 号和第 6/1 号决议), each keyed under the issuer the text names."""
        separators = re.compile(self.rules.raw["list_separators"])
        for m in self.rules.act.finditer(unit.text):
            kind = self.rules.raw["act_kinds"][m["kind"]]
            issuer = self._issuer(unit, m.start(), m.end())
            cuts = [m.start(), *(x for s in separators.finditer(unit.text, m.start(), m.end()) for x in s.span()),
                    m.end()]
            for start, end in zip(cuts[::2], cuts[1::2], strict=True):
                symbol = self.rules.act_symbol.search(unit.text, start, end)
                if symbol:
                    self._act(unit, start, end, kind, int(symbol["session"]), int(symbol["number"]), issuer)

    def _act(self, unit: Unit, start: int, end: int, kind: str, session: int, number: int,
             issuer: str | None) -> None:
        """Cite one act: under its named issuer, else the one act of that symbol acts.yaml has, else a warning."""
        if issuer is None:
            registered = self.reg.acts_with_symbol(kind, session, number)
            if len(registered) != 1:  # no IRI without its issuer: the words stay, as an unlinked mention
                self._warn(unit, unit.text[start:end], "act cited without its issuer: no body of "
                           "data/registries/bodies.yaml is named with it and acts.yaml does not settle it "
                           "(unlinked mention)")
                span = Span(unit.eid, start, end, unit.text[start:end])
                self.out.mentions.append(Mention(span, MENTION_TYPES[kind], None))
                return
            key = registered[0]
        else:
            key = f"{kind}/{issuer}/{session}-{number}"
        known = key in self.reg.acts
        if not known:
            self._warn(unit, unit.text[start:end], "act not in data/registries/acts.yaml")
        self.reg.mark_used(key)
        self._cite(unit, start, end, "act", key, known)

    def _issuer(self, unit: Unit, start: int, end: int) -> str | None:
        """The slug of the body that issued the act(s) at text[start:end]: the body named right before them
        (act_issuer_gap in the rules), the body named right after (act_issuer_after), the report's own body when
        the text names itself (self_reference); None when the text names none."""
        text, gap = unit.text, self.rules.raw["act_issuer_gap"]
        bodies = [m for m in self.matches[unit.eid] if m.key.startswith("body/")]
        before = [m for m in bodies if m.end <= start]
        if before and re.fullmatch(gap, text[before[-1].end : start]):
            return before[-1].key.split("/", 1)[1]
        named_after = next((m for m in bodies if m.start >= end), None)
        if named_after and self.rules.act_issuer_after.fullmatch(text, end, named_after.start):
            return named_after.key.split("/", 1)[1]
        if self.out.report_body and re.search(f"(?:{self.rules.raw['self_reference']}){gap}$", text[:start]):
            return self.out.report_body.split("/", 1)[1]
        return None

    def _documents(self, unit: Unit) -> None:
        for m in self.rules.symbol.finditer(unit.text):
            symbol = m.group(0).rstrip(".")
            self.reg.mark_used(f"doc/{symbol}")
            self._cite(unit, m.start(), m.start() + len(symbol), "document", f"doc/{symbol}", True)

    def _cite(self, unit: Unit, start: int, end: int, target: str, key: str, known: bool) -> None:
        self.out.citations.append(Citation(Span(unit.eid, start, end, unit.text[start:end]), target, key, known))

    # -- who spoke, who led, who presented, who is a member ----------------------------------------
    def _statements(self, unit: Unit) -> None:
        for start, sentence in self._sentences(unit.text):
            verb = self.rules.statement_verb.search(sentence)
            if not verb:
                continue
            colon_match = self.rules.list_colon.search(sentence)
            colon = colon_match.start() if colon_match else -1
            region = (colon_match.end(), len(sentence)) if colon_match else (0, verb.start())
            observer = bool(self.rules.observer.search(sentence[: verb.start()]))
            states_listed = bool(self.rules.states_list_cue.search(sentence[: max(colon, 0)]))
            guess = "State" if states_listed else "Organization"
            named = self.rules.observer_list.search(sentence[: verb.start()]) if colon == -1 else None
            if named:  # "The observers for A and B also made statements": a list, its unknown names kept
                region, guess = named.span("list"), "Organization"
            listed = self._listed_agents(unit, start + region[0], start + region[1],
                                         guess if colon != -1 or named else None)
            for key, name in listed:
                capacity = "observer" if observer else ("state" if (key or "").startswith("state/")
                                                        or states_listed else "organization")
                self.out.statements.append(Statement(unit.eid, key, name, capacity))

    def _listed_agents(self, unit: Unit, start: int, end: int, leftovers: str | None) -> list[tuple[str | None, str]]:
        """Agents named in text[start:end]: gazetteer hits and, when `leftovers` names a mention type (a
        list), the other list entries as unlinked mentions of that type."""
        hits = [m for m in self.matches[unit.eid] if start <= m.start and m.end <= end
                and m.key.split("/", 1)[0] in AGENT_KINDS and not self._in_brackets(unit.text, m.start, start)]
        found: list[tuple[int, str | None, str]] = [(m.start, m.key, m.text) for m in hits]
        cursor = start
        for m in [*hits, None] if leftovers else []:
            gap_end = m.start if m else end
            for piece in re.split(self.rules.raw["list_separators"], unit.text[cursor:gap_end]):
                name = piece.strip(" 。；：，、.;:,")
                if name and not re.fullmatch(r"[（(][^）)]*[）)]|" + self.rules.raw["list_filler"], name):
                    at = unit.text.index(name, cursor)
                    self._warn(unit, name, "name not found in the registries (unlinked mention)")
                    self.out.mentions.append(Mention(Span(unit.eid, at, at + len(name), name), leftovers, None))
                    found.append((at, None, name))
            cursor = m.end if m else end
        return [(key, name) for _, key, name in sorted(found, key=lambda f: f[0])]

    @staticmethod
    def _in_brackets(text: str, index: int, since: int) -> bool:
        segment = text[since:index]
        return segment.count("（") + segment.count("(") > segment.count("）") + segment.count(")")

    def _panel(self, unit: Unit) -> None:
        intro = self.rules.panel_intro.search(unit.text)
        if not intro:
            return
        items = self.rules.agenda_items.search(unit.text[: intro.start()])
        agenda = items["items"].strip() if items else None
        listing = unit.text[intro.end() :]
        offset = intro.end()
        names = list(self.rules.person_name.finditer(listing))
        for i, name in enumerate(names):
            seg_start = max([listing.rfind(s, 0, name.start()) + 1 for s in "；;"] + [0])
            if i:
                seg_start = max(seg_start, names[i - 1].end())
            seg_end = min([p for p in (listing.find(s, name.end()) for s in "；;") if p != -1] + [len(listing)])
            after = listing[name.end() : seg_end]
            person = self._person(unit, offset + name.start(), name.group(0).strip())
            affiliation = self._affiliation(unit, offset + seg_start, offset + name.start(), after)
            presented = self._presented(unit, offset + name.end(), offset + seg_end)
            roles = ("panelist", "presenter") if presented else ("panelist",)
            self.out.participations.append(Participation(unit.eid, person, name.group(0).strip(), roles,
                                                         affiliation, agenda, presented))

    def _person(self, unit: Unit, at: int, name: str) -> str | None:
        hit = next((m.key for m in self.matches[unit.eid] if m.start == at and m.key.startswith("person/")), None)
        if hit is None:
            self._warn(unit, name, "person not in data/registries/people.yaml (unlinked mention)")
            self.out.mentions.append(Mention(Span(unit.eid, at, at + len(name), name), "Person", None))
        return hit

    def _affiliation(self, unit: Unit, before_start: int, name_start: int, after: str) -> str | None:
        bracket = re.search(self.rules.raw["bracket_affiliation"], after)
        if bracket:
            hits = self.gazetteer.find(bracket["who"])
            return hits[0].key if hits else None
        agents = [m for m in self.matches[unit.eid] if before_start <= m.start and m.end <= name_start
                  and m.key.split("/", 1)[0] in AGENT_KINDS]
        return agents[-1].key if agents else None

    def _presented(self, unit: Unit, start: int, end: int) -> tuple[str, ...]:
        verb = self.rules.presented.search(unit.text, start, end)
        if not verb:
            return ()
        return tuple(m.key for m in self.matches[unit.eid]
                     if verb.end() <= m.start and m.end <= end and m.key.startswith("network/"))

    def _members(self, unit: Unit) -> None:
        for m in self.rules.members_list.finditer(unit.text):
            networks = [x for x in self.matches[unit.eid] if x.end <= m.start() and x.key.startswith("network/")]
            if not networks or unit.text[networks[-1].end : m.start()].strip():
                continue
            network = networks[-1].key
            start, end = m.start("members"), m.end("members")
            for key, name in self._listed_agents(unit, start, end, "State"):
                after = unit.text[unit.text.index(name, start) + len(name) : end]
                note = re.match(self.rules.raw["member_note"], after)
                self.out.memberships.append(Membership(unit.eid, network, key, name, note["note"] if note else None))

    # -- lists of outcomes and questions -----------------------------------------------------------
    def _items(self, unit: Unit) -> list[Unit]:
        return self.doc.children(unit.eid, Kind.ITEM)

    def _is_list_chapeau(self, unit: Unit) -> bool:
        return bool(self._items(unit)) and bool(self.rules.list_chapeau_end.search(unit.text))

    def _lists(self, unit: Unit) -> None:
        if not self._is_list_chapeau(unit):
            return
        items = self._items(unit)
        has_rec = bool(self.rules.recommendation_cue.search(unit.text))
        has_concl = bool(self.rules.conclusion_cue.search(unit.text))
        if has_rec or has_concl:
            self._outcomes(unit, items, has_concl)
        elif self.rules.question_cue.search(unit.text):
            for item in items:
                self.out.questions.append(Question(Span(item.eid, 0, len(item.text), item.text), 1))

    def _outcomes(self, chapeau: Unit, items: list[Unit], mixed: bool) -> None:
        cue = self.rules.recommendation_cue.search(chapeau.text) or self.rules.conclusion_cue.search(chapeau.text)
        assert cue
        proponents = self._bodies(chapeau, 0, cue.start())
        chapeau_actions, chapeau_addressees = self._actions(chapeau, addressed_only=True)
        for item in items:
            actions, addressees = self._actions(item)
            addressed = bool(addressees) or bool(self.rules.recommendation_cue.search(item.text))
            kind = "recommendation" if not mixed or addressed else "conclusion"
            consensus = (False if self.rules.no_consensus.search(item.text)
                         else True if self.rules.consensus.search(item.text) else None)
            cites = tuple(c.key for c in self.out.citations if c.span.unit == item.eid and c.target == "provision")
            self.out.outcomes.append(Outcome(
                item.eid, kind, f"{chapeau.number}({item.number})", proponents,
                tuple(dict.fromkeys(chapeau_addressees + addressees)),
                tuple(dict.fromkeys(chapeau_actions + actions)), self._topics(item.text), cites, consensus))

    def _paragraph_outcome(self, unit: Unit) -> None:
        """A recommendation a paragraph without items states in one sentence: a sentence that opens with its
        proponent (a body, or the report's self_reference) and goes on, after ``proponent_verb_gap`` of the
        rules, with the recommendation cue or an action word that addresses an agent."""
        if self._items(unit) or "proponent_verb_gap" not in self.rules.raw:
            return
        for start, sentence in self._sentences(unit.text):
            opening = len(sentence) - len(sentence.lstrip())
            proponent, verb_at = self._opening_proponent(unit, start + opening)
            if verb_at is None:
                continue
            gap = re.compile(self.rules.raw["proponent_verb_gap"]).match(unit.text, verb_at)
            verb_at = gap.end() if gap else verb_at
            end = start + len(sentence)
            actions, addressees = self._actions(unit, addressed_only=True, start=verb_at, end=end)
            cue = self.rules.recommendation_cue.match(unit.text, verb_at)
            verb = next((hit for hit in self._action_cues.find(unit.text[verb_at:end]) if hit.start == 0), None)
            if not (cue or (verb and verb.key and addressees)):
                continue
            consensus = (False if self.rules.no_consensus.search(sentence)
                         else True if self.rules.consensus.search(sentence) else None)
            cites = tuple(c.key for c in self.out.citations if c.span.unit == unit.eid and c.target == "provision")
            self.out.outcomes.append(Outcome(unit.eid, "recommendation", unit.number or unit.eid, proponent,
                                             addressees, actions, self._topics(sentence), cites, consensus))
            return  # one recommendation per paragraph: its IRI is the paragraph's

    def _opening_proponent(self, unit: Unit, at: int) -> tuple[tuple[str, ...], int | None]:
        """The proponent a sentence opens with and where its words end: a body the registries name, perhaps after
        ``proponent_before`` of the rules (none when its name is ambiguous), else the report's own body named by
        self_reference; (), None when neither."""
        lead = re.compile(self.rules.raw.get("proponent_before", "")).match(unit.text, at)
        named = next((m for m in self.matches[unit.eid] if m.start in (at, lead.end() if lead else at)), None)
        if named and (named.key or named.owners[0]).startswith("body/"):
            return ((named.key,) if named.key else ()), named.end
        own = self.rules.self_reference.match(unit.text, at)
        if own and self.out.report_body:
            return (self.out.report_body,), own.end()
        return (), None

    def _bodies(self, unit: Unit, start: int, end: int) -> tuple[str, ...]:
        """Bodies named in text[start:end], or the report's own body when the text says just "工作组"."""
        found = tuple(m.key for m in self.matches[unit.eid]
                      if start <= m.start and m.end <= end and m.key.startswith("body/"))
        if not found and self.rules.self_reference.search(unit.text, start, end) and self.out.report_body:
            return (self.out.report_body,)
        return tuple(dict.fromkeys(found))

    @cached_property
    def _action_cues(self) -> Gazetteer:
        """The action words (key: the action) and the `not_actions` phrases holding one (key: empty)."""
        return Gazetteer([(cue, c.slug) for c in self.reg.concepts["actions"].values() for cue in self._cues(c)]
                         + [(phrase, "") for phrase in self.rules.raw.get("not_actions") or ()])

    def _actions(self, unit: Unit, addressed_only: bool = False, start: int = 0,
                 end: int | None = None) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Action verbs in the unit (longest cue wins; a `not_actions` phrase hides the verb inside it) and the
        agent each one addresses; with `addressed_only`, only verbs that address somebody (a chapeau's
        "建议缔约方会议", not "下列建议") or that take the announced list as their object ("考虑如下：")."""
        actions: list[str] = []
        addressees: list[str] = []
        window = int(self.rules.raw["addressee_window"])
        for hit in self._action_cues.find(unit.text):
            if not hit.key or hit.start < start or (end is not None and hit.end > end):
                continue
            clause = self.rules.clause_end.search(unit.text, hit.end)
            limit = min(clause.start() if clause else len(unit.text), hit.end + window)
            target = next((m.key for m in self.matches[unit.eid] if hit.end <= m.start and m.end <= limit
                           and m.key.split("/", 1)[0] in AGENT_KINDS), None)
            if target:
                addressees.append(target)
            if target or not addressed_only or self.rules.list_announcer.match(unit.text, hit.end):
                actions.append(hit.key)
        return tuple(dict.fromkeys(actions)), tuple(dict.fromkeys(addressees))

    def _topics(self, text: str) -> tuple[str, ...]:
        return tuple(slug for slug, c in sorted(self.reg.concepts["topics"].items())
                     if any(q in text for q in self._cues(c)))

    def _cues(self, concept: Concept) -> tuple[str, ...]:
        """The words that signal a concept in the report's language: the registry's Chinese cues, or the
        ``concept_cues`` of data/rules/LANG.yaml (scheme, then slug) for another language."""
        if self.doc.language == DEFAULT_LANGUAGE:
            return concept.cues
        return tuple((self.rules.raw.get("concept_cues") or {}).get(concept.scheme, {}).get(concept.slug) or ())

    def _question_sentences(self, unit: Unit) -> None:
        if self._is_list_chapeau(unit):
            return  # "提出了下列问题：" announces the questions; its items are the questions
        index = 0
        for start, sentence in self._sentences(unit.text):
            if self.rules.question_sentence.search(sentence):
                index += 1
                self.out.questions.append(Question(Span(unit.eid, start, start + len(sentence), sentence), index))

    # -- the meeting -------------------------------------------------------------------------------
    def _meeting_facts(self, unit: Unit) -> None:
        meeting = self.rules.meeting_number.search(unit.text)
        owner = f"(?:{self.rules.raw['self_reference']})(?:{self.rules.raw['meeting_owner_gap']})$"
        if meeting and self.out.meeting_number is None and re.search(owner, unit.text[: meeting.start()]):
            self.out.meeting_number = self._numeral(meeting["n"])  # the report's own body's meeting
        sittings = self.rules.sittings.search(unit.text)
        if sittings and self.out.sittings is None:
            self.out.sittings = self._numeral(sittings["n"])
        if self.rules.joint_meeting.search(unit.text):
            for start, sentence in self._sentences(unit.text):
                if not self.rules.joint_meeting.search(sentence):
                    continue
                bodies = self._bodies(unit, start, start + len(sentence))
                dates = tuple(parse_dates(sentence, format_rules(self.doc.language)))
                if len(bodies) >= 2 and dates:
                    self.out.joint_meetings.append(JointMeeting(unit.eid, dates, bodies))

    def _agenda_items(self, unit: Unit) -> None:
        for m in self.rules.agenda_items.finditer(unit.text):
            for item in re.split(self.rules.raw["list_separators"], m["items"].translate(SUPER_TO_ASCII)):
                key = re.sub(r"\s+|[(（）)]", "", item)
                if key:
                    self.out.agenda_items.setdefault(key, []).append(unit.eid)

    def _numeral(self, text: str) -> int | None:
        """A number as the language writes it: figures, a number word of the rules file, or a numeral of the
        format (Chinese 四, 第六); None for a malformed one (十十), which then states nothing."""
        words = self.rules.raw.get("number_words") or {}
        if text in words:
            return int(words[text])
        return numeral(text, self.doc.language)

    def _sentences(self, text: str) -> list[tuple[int, str]]:
        return sentences(text, self.rules.raw.get("sentence_split", SENTENCE_SPLIT))

    def _warn(self, unit: Unit, text: str, problem: str) -> None:
        self.out.warnings.append(f"{self.doc.source.path.name}:{unit.line}: {unit.eid}: {text!r}: {problem}")


def numeral(text: str, language: str = DEFAULT_LANGUAGE) -> int | None:
    """An ASCII numeral's value or one of the language's numerals (data/rules/LANG.yaml, format); None for a
    malformed one (十十), which then states nothing."""
    if text.isascii() and text.isdigit():
        return int(text)
    try:
        return format_rules(language).numeral(text)
    except ValueError:
        return None


SENTENCE_SPLIT = "[。；]"
UNKNOWN = "?"  # a convention the text names that the registries lack


def sentences(text: str, split: str = SENTENCE_SPLIT) -> list[tuple[int, str]]:
    """Split text after each sentence or clause end (``sentence_split`` of the rules: 。 or ；), keeping the
    start offset of every sentence."""
    found, start = [], 0
    for m in re.finditer(split, text):
        found.append((start, text[start : m.end()]))
        start = m.end()
    if start < len(text):
        found.append((start, text[start:]))
    return found
