"""Stage 3: link the facts extracted from every report to the reference data, and report what could not be
linked and which registry entries no report uses.

Unused entries: registries of report-specific things (people, networks, places, acts) are curated from the
reports, so an entry no report uses is listed by key (a likely slip). The series-wide reference data
(every State, body, organization, instrument and group: the files of SERIES_REGISTRIES) is complete by
design and most of it is unused by any one report, so it is not listed."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg_build.extract.facts import Extraction
from kg_build.reference.entities import SERIES_REGISTRIES, Registries

ENTITY_KINDS = ("state", "body", "network", "organization", "group", "person", "place")


@dataclass
class LinkReport:
    """What linking found: warnings for unlinked facts, and the report-specific registry keys no report used."""

    warnings: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)


def link(extractions: list[Extraction], registries: Registries) -> LinkReport:
    """Check every key the facts use against the registries and list the report-specific entries nothing used."""
    report = LinkReport()
    for extraction in extractions:
        report.warnings += extraction.warnings
        for key in referenced_keys(extraction):
            if key.split("/", 1)[0] in ENTITY_KINDS and key not in registries.entities:
                report.warnings.append(f"{key}: referenced but not in the registries")
            registries.mark_used(key)
    report.unused = unused_keys(registries, registries.used)
    return report


def unused_keys(registries: Registries, used: set[str]) -> list[str]:
    """The report-specific registry entries (and acts) that no key in `used` names."""
    unused = [key for key, entity in sorted(registries.entities.items())
              if entity.registry not in SERIES_REGISTRIES and key not in used]
    return unused + [key for key in sorted(registries.acts) if key not in used]


def referenced_keys(extraction: Extraction) -> set[str]:
    """Every entity key a fact of `extraction` points at."""
    keys: set[str] = {m.key for m in extraction.mentions if m.key}
    for o in extraction.outcomes:
        keys.update(o.proponents + o.addressees)
    keys.update(s.speaker for s in extraction.statements if s.speaker)
    for p in extraction.participations:
        keys.update(k for k in (p.person, p.in_name_of) if k)
        keys.update(p.presented)
    for m in extraction.memberships:
        keys.update(k for k in (m.network, m.member) if k)
    for j in extraction.joint_meetings:
        keys.update(j.bodies)
    keys.update(k for k in (extraction.report_body, extraction.parent_body) if k)
    return keys
