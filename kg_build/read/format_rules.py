"""The patterns of the report format that the reader needs, from ``data/rules/zh.yaml`` (format, not content)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg_build.errors import InputError
from kg_build.paths import DATA_DIR
from kg_build.read.safe_yaml import load_yaml

FORMAT_FILE = DATA_DIR / "rules" / "zh.yaml"
FORMAT_KEYS = ("sentence_end", "prose_punctuation", "inline_item", "stray_markup", "annex_reference")


@dataclass(frozen=True)
class FormatRules:
    """Compiled format patterns: how a sentence ends, what only prose holds, inline item labels, stray
    markup before a heading and how a report refers to its annex."""

    sentence_end: re.Pattern[str]
    prose_punctuation: re.Pattern[str]
    inline_item: re.Pattern[str]
    stray_markup: re.Pattern[str]
    annex_reference: re.Pattern[str]


@cache
def format_rules(path: Path = FORMAT_FILE) -> FormatRules:
    """The format patterns of `path`, each checked to be present and a valid regular expression."""
    data = load_yaml(path, 1024 * 1024, "rules file")
    compiled = {}
    for key in FORMAT_KEYS:
        if not isinstance(data, dict) or not isinstance(data.get(key), str):
            raise InputError(path, 0, f"format rule {key!r} is missing or not a string")
        try:
            compiled[key] = re.compile(data[key])
        except re.error as err:
            raise InputError(path, 0, f"format rule {key!r} is not a valid regular expression: {err}") from None
    return FormatRules(**compiled)
