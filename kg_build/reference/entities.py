"""The curated registries as typed entities with IRIs, and the gazetteer that finds their names in text.

Registry files are YAML lists (data/registries/*.yaml). Agents and places share one key space
("state/ECU", "body/unodc", "network/ejn", "organization/eu", "group/states-parties", "person/…",
"place/vienna", "convention/untoc"); acts are keyed "decision/cop-untoc/3-2"; concepts "action/requests".
Every name form keeps its language (``name_zh``, ``formal_zh``, ``aliases_zh`` are Chinese; ``name_en``,
``formal_en``, ``aliases_en`` English; a person's name as written counts in both), so a Chinese text is
searched with the Chinese forms only. A form several entries share (an ambiguous alias) keeps every owner.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import URIRef

from kg_build.errors import InputError
from kg_build.iris import concept_iri, entity_iri
from kg_build.reference.registry import REGISTRY_DIR, load_registry

AGENT_FILES: dict[str, str] = {  # registry file -> key prefix
    "states": "state",
    "bodies": "body",
    "networks": "network",
    "organizations": "organization",
    "groups": "group",
    "people": "person",
    "places": "place",
    "conventions": "convention",
}
DEFAULT_TYPE = {
    "state": "State", "group": "AgentGroup", "person": "Person", "place": "Place", "convention": "Convention",
}
CONCEPT_FILES = ("actions", "topics", "roles", "capacities", "regional_groups")
NAME_FIELDS = {"zh": ("name_zh", "formal_zh", "aliases_zh"), "en": ("name_en", "formal_en", "aliases_en")}
# Registries of the whole series (every State, body, organization, instrument): most entries no one report
# names, so the build counts their unused entries instead of listing them.
SERIES_REGISTRIES = ("states.yaml", "bodies.yaml", "organizations.yaml", "conventions.yaml", "groups.yaml")
CONCEPT_CLASS = {"actions": "Action", "topics": "Topic", "roles": "Role", "capacities": "Capacity",
                 "regional_groups": "RegionalGroup"}


@dataclass(frozen=True)
class Entity:
    """A registry entry: key, ontology class, IRI, names, and the entry as written."""

    key: str
    cls: str
    iri: URIRef
    name_en: str
    name_zh: str | None
    surface_forms: tuple[str, ...]
    data: dict[str, Any]
    registry: str
    names: tuple[tuple[str, str], ...] = ()  # (form, language) of every name the entry gives

    @property
    def kind(self) -> str:
        return self.key.split("/", 1)[0]

    @property
    def instrument(self) -> str | None:
        """The slug of the Convention whose body this is (bodies.yaml `instrument`), a convention's own slug."""
        if self.kind == "convention":
            return str(self.data["slug"])
        return self.data.get("instrument")

    def forms(self, language: str) -> tuple[str, ...]:
        """The entry's names in one language, each once."""
        return tuple(dict.fromkeys(form for form, lang in self.names if lang == language))


@dataclass(frozen=True)
class Concept:
    """A SKOS concept of one of the project's schemes (action, topic, role, capacity, regional group)."""

    scheme: str
    slug: str
    cls: str
    iri: URIRef
    label_en: str
    label_zh: str
    definition_en: str
    cues: tuple[str, ...]
    data: dict[str, Any]
    registry: str


@dataclass(frozen=True)
class Match:
    """A gazetteer hit: text offsets in the searched string, the surface form and the entity key; `key` is
    empty and `owners` lists the candidates when the form is an alias of several entries."""

    start: int
    end: int
    text: str
    key: str
    owners: tuple[str, ...] = ()


@dataclass
class Registries:
    """Every registry, loaded and indexed; `directory` is data/registries/ unless a test says otherwise."""

    directory: Path = REGISTRY_DIR
    used: set[str] = field(default_factory=set)

    def _load(self, name: str) -> tuple[dict[str, Any], ...]:
        return load_registry(name, self.directory)

    @cached_property
    def entities(self) -> dict[str, Entity]:
        """Agents, places and conventions by key."""
        found: dict[str, Entity] = {}
        for name, prefix in AGENT_FILES.items():
            for entry in self._load(name):
                entity = self._entity(name, prefix, entry)
                if entity.key in found:
                    raise InputError(self.directory / f"{name}.yaml", 0, f"duplicate key {entity.key}")
                found[entity.key] = entity
        return found

    def _entity(self, name: str, prefix: str, entry: dict[str, Any]) -> Entity:
        ident = entry.get("iso3") or entry.get("slug")
        if not ident:
            raise InputError(self.directory / f"{name}.yaml", 0, f"entry without iso3/slug: {entry}")
        key = f"{prefix}/{ident}"
        zh = entry.get("name_zh")
        names = name_forms(entry)
        zh_forms = tuple(dict.fromkeys(form for form, lang in names if lang == "zh"))
        name_en = entry.get("name_en") or entry.get("name") or ident
        return Entity(key, entry.get("type") or DEFAULT_TYPE[prefix], entity_iri(key), name_en, zh,
                      zh_forms, entry, f"{name}.yaml", names)

    @cached_property
    def acts(self) -> dict[str, dict[str, Any]]:
        return {entry["key"]: entry for entry in self._load("acts")}

    @cached_property
    def documents(self) -> dict[str, dict[str, Any]]:
        return {entry["symbol"]: entry for entry in self._load("documents")}

    @cached_property
    def conventions(self) -> dict[str, dict[str, Any]]:
        return {entry["slug"]: entry for entry in self._load("conventions")}

    @cached_property
    def concepts(self) -> dict[str, dict[str, Concept]]:
        """Concepts per scheme file name (``actions``, ``topics``…) by slug."""
        return {name: {e["slug"]: self._concept(name, e) for e in self._load(name)} for name in CONCEPT_FILES}

    def _concept(self, name: str, entry: dict[str, Any]) -> Concept:
        return Concept(name, entry["slug"], CONCEPT_CLASS[name], concept_iri(name, entry["slug"]),
                       entry["label_en"], entry["label_zh"], entry.get("definition_en", ""),
                       tuple(entry.get("cues_zh") or ()), entry, f"{name}.yaml")

    @cached_property
    def gazetteer(self) -> Gazetteer:
        """The Chinese name forms of every entity (the reports are Chinese texts)."""
        return self.gazetteer_for("zh")

    def name_forms(self, language: str) -> list[tuple[str, str]]:
        """(form, entity key) for every name of every entity in `language`."""
        return [(form, e.key) for e in self.entities.values() for form in e.forms(language)]

    def gazetteer_for(self, language: str, blocked: tuple[str, ...] = ()) -> Gazetteer:
        """A gazetteer of the names in `language`; `blocked` phrases hold a name but are not one (发展中国家)."""
        return Gazetteer(self.name_forms(language) + [(phrase, "") for phrase in blocked])

    def acts_with_symbol(self, kind: str, session: int, number: int) -> list[str]:
        """The registry keys of the acts of `kind` with the symbol session/number (one per issuer)."""
        symbol = f"{session}/{number}"
        return sorted(k for k, e in self.acts.items() if e["kind"] == kind and str(e["symbol"]) == symbol)

    def convention_by_name(self, name: str) -> str | None:
        for slug, entry in self.conventions.items():
            if name in [entry.get("name_zh"), *(entry.get("aliases_zh") or [])]:
                return slug
        return None

    def mark_used(self, key: str) -> None:
        self.used.add(key)


def name_forms(entry: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """(form, language) of every name an entry gives: its Chinese and English names, formal names and
    aliases; a person's name as the reports write it (Latin script) in both languages."""
    found: list[tuple[str, str]] = []
    for language, fields in NAME_FIELDS.items():
        for name in fields:
            value = entry.get(name)
            for form in value if isinstance(value, list) else [value]:
                if form:
                    found.append((" ".join(str(form).split()), language))
    if entry.get("name"):
        found += [(str(entry["name"]), "zh"), (str(entry["name"]), "en")]
    return tuple(dict.fromkeys(found))


class Gazetteer:
    """Longest-match-first dictionary lookup of names in text. A form with the empty key blocks the names
    inside it (it is matched, and consumes its text, but is not reported)."""

    def __init__(self, forms: list[tuple[str, str]]) -> None:
        owners: dict[str, list[str]] = defaultdict(list)
        for form, key in forms:
            if key not in owners[form]:
                owners[form].append(key)
        self.by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
        for form, keys in owners.items():
            self.by_first[form[0]].append((form, tuple(sorted(keys))))
        for candidates in self.by_first.values():
            candidates.sort(key=lambda fk: (-len(fk[0]), fk[0]))

    def find(self, text: str) -> list[Match]:
        """Non-overlapping matches, scanning left to right, the longest name winning at each position."""
        matches, index = [], 0
        while index < len(text):
            for form, keys in self.by_first.get(text[index], ()):
                if text.startswith(form, index) and not _inside_latin_word(text, index, len(form)):
                    if keys != ("",):
                        key = keys[0] if len(keys) == 1 else ""
                        matches.append(Match(index, index + len(form), form, key, keys if not key else ()))
                    index += len(form)
                    break
            else:
                index += 1
        return matches


def _inside_latin_word(text: str, start: int, length: int) -> bool:
    """A Latin-script name must not match inside a longer Latin word."""
    before = text[start - 1] if start else " "
    after = text[start + length] if start + length < len(text) else " "
    return bool(re.match(r"\w", before, re.ASCII) or re.match(r"\w", after, re.ASCII)) and text[start].isascii()
