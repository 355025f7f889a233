"""What extraction finds in a report: mentions, citations, outcomes, questions, statements,
participations, memberships and meeting facts. Each fact names the unit (eid) it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Span:
    """A stretch of a unit's text: the unit id, text offsets [start, end) and the text itself."""

    unit: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Mention:
    """A name found in the text; `key` is the registry entity it refers to, None when unlinked."""

    span: Span
    mention_type: str
    key: str | None


@dataclass(frozen=True)
class Citation:
    """An explicit reference by a unit to a provision (``convention/untoc/art_18/para_13``), an act
    (``decision/cop-untoc/3-2``) or a document (``doc/CTOC/COP/WG.3/2012/1``)."""

    span: Span
    target: str  # provision | act | document
    key: str
    known: bool  # False when the registry lacks the target (reported as a warning)


@dataclass(frozen=True)
class Outcome:
    """A conclusion or recommendation of the report, stated in one unit (an item of a list)."""

    unit: str
    kind: str  # conclusion | recommendation
    outcome_id: str
    proponents: tuple[str, ...]
    addressees: tuple[str, ...]
    actions: tuple[str, ...]
    topics: tuple[str, ...]
    cites: tuple[str, ...]
    consensus: bool | None


@dataclass(frozen=True)
class Question:
    """A question raised, as an item of a list of questions or inside a paragraph's prose."""

    span: Span
    index: int


@dataclass(frozen=True)
class Statement:
    """Somebody spoke: the speaker (entity key, None when unlinked), its name as written, capacity slug."""

    unit: str
    speaker: str | None
    name: str
    capacity: str


@dataclass(frozen=True)
class Participation:
    """A person's part in a meeting: role(s), on whose behalf, agenda item led, networks presented."""

    unit: str
    person: str | None
    name: str
    roles: tuple[str, ...]
    in_name_of: str | None
    agenda_item: str | None
    presented: tuple[str, ...]


@dataclass(frozen=True)
class Membership:
    """A network member as the report lists it, with a note such as a territory."""

    unit: str
    network: str
    member: str | None
    name: str
    note: str | None


@dataclass(frozen=True)
class JointMeeting:
    """A joint discussion of several bodies on given dates."""

    unit: str
    dates: tuple[date, ...]
    bodies: tuple[str, ...]


@dataclass
class Extraction:
    """Everything extracted from one report, plus the warnings for what could not be linked."""

    mentions: list[Mention] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    participations: list[Participation] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    joint_meetings: list[JointMeeting] = field(default_factory=list)
    agenda_items: dict[str, list[str]] = field(default_factory=dict)  # item -> units naming it
    meeting_number: int | None = None
    session_number: int | None = None
    sittings: int | None = None
    meeting_days: tuple[date, ...] = ()  # the days the dateline names one by one
    meeting_start: date | None = None
    meeting_end: date | None = None
    report_body: str | None = None
    parent_body: str | None = None
    convention: str | None = None
    instrument: str | None = None  # the Convention whose body the report's body is (ambiguous aliases)
    warnings: list[str] = field(default_factory=list)
