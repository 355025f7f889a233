"""The kind of a document (meeting report, note by the Secretariat, information for participants, background
paper), read from the words of its subtitle or title by the ``document_kinds`` of data/rules/LANG.yaml."""

from __future__ import annotations

import re
from functools import cache

from kg_build.read.format_rules import rules_path
from kg_build.read.model import Document
from kg_build.read.safe_yaml import load_yaml

KIND_CLASSES = {"meeting-report": "MeetingReport", "note-by-secretariat": "NoteBySecretariat",
                "information-for-participants": "InformationForParticipants", "background-paper": "BackgroundPaper"}


@cache
def kind_patterns(language: str) -> dict[str, re.Pattern[str]]:
    data = load_yaml(rules_path(language), 1024 * 1024, "rules file")
    return {kind: re.compile(pattern) for kind, pattern in (data.get("document_kinds") or {}).items()}


def document_kind(doc: Document) -> str | None:
    """The kind the subtitle names, else the one the title names; None when the words name none."""
    patterns = kind_patterns(doc.language)
    for text in (doc.header.subtitle, doc.header.title):
        for kind, pattern in patterns.items():
            if text and pattern.search(text):
                return kind
    return None
