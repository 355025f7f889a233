"""The report format of one language, from the ``format:`` block of ``data/rules/LANG.yaml`` (format, not
content): header lines, headings, numbers, footnotes, dates and punctuation, so the parser holds no words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kg_build.errors import InputError
from kg_build.paths import DATA_DIR
from kg_build.read.safe_yaml import load_yaml

RULES_DIR = DATA_DIR / "rules"
DEFAULT_LANGUAGE = "zh"
PATTERN_KEYS = ("sentence_end", "prose_punctuation", "inline_item", "stray_markup", "annex_reference", "chapter",
                "section", "paragraph", "item", "footnote", "marker", "annex", "agenda_cell_separators", "date",
                "date_range")
HEADER_KEYS = ("masthead", "symbol", "distribution", "original_language", "issue_date", "language", "session",
               "agenda_item", "dateline", "subtitle")


@dataclass(frozen=True)
class FormatRules:
    """Compiled format patterns of one language, with the words the parser needs to read numbers and dates."""

    language: str
    path: Path
    patterns: dict[str, re.Pattern[str]]
    header: dict[str, re.Pattern[str]]
    months: dict[str, int]
    issue_months: dict[str, int]
    numerals: dict[str, Any]
    ordinals: dict[str, int]
    terminal: str
    closers: str

    def __getattr__(self, name: str) -> re.Pattern[str]:
        try:
            return self.__dict__["patterns"][name]
        except KeyError:
            raise AttributeError(name) from None

    def numeral(self, text: str) -> int:
        """The value of a chapter or session numeral; ValueError for a malformed one (十十, IIII is allowed)."""
        name = self.numerals.get("name", "numeral")
        if self.numerals.get("system") == "positional":
            return positional_numeral(text, self.numerals["digits"], self.numerals["ten"], name)
        return subtractive_numeral(text, self.numerals["values"], name)


def positional_numeral(text: str, digits: dict[str, int], ten: str, name: str = "numeral") -> int:
    """A numeral up to 99 written tens digit, ten sign, units digit, each optional (十, 十二, 二十, 二十三)."""
    tens_part, has_ten, ones_part = text.partition(ten)
    if not has_ten:
        tens_part, ones_part = "", text
    if (not text or len(tens_part) > 1 or len(ones_part) > 1 or any(c not in digits for c in tens_part + ones_part)
            or has_ten and tens_part and digits[tens_part] == 1):
        low, high = min(digits, key=digits.__getitem__), max(digits, key=digits.__getitem__)
        raise ValueError(f"{text!r} is not a {name} from {low} to {high}{ten}{high}")
    tens = digits[tens_part] if tens_part else 1 if has_ten else 0
    return tens * 10 + (digits[ones_part] if ones_part else 0)


def subtractive_numeral(text: str, values: dict[str, int], name: str = "numeral") -> int:
    """A Roman-style numeral: values added, a smaller one before a larger one subtracted (IV, IX, XL)."""
    if not text or any(c not in values for c in text):
        raise ValueError(f"{text!r} is not a {name} (of {''.join(values)})")
    total = 0
    for here, after in zip(text, [*text[1:], None], strict=True):
        value = values[here]
        total += -value if after is not None and values[after] > value else value
    if total <= 0:
        raise ValueError(f"{text!r} is not a {name}")
    return total


def rules_path(language: str) -> Path:
    return RULES_DIR / f"{language}.yaml"


def language_of(path: Path) -> str:
    """The language of a report from its file name (``NAME.zh.txt``, ``NAME.en.txt``); Chinese when unnamed."""
    parts = path.name.split(".")
    return parts[-2] if len(parts) >= 3 and rules_path(parts[-2]).is_file() else DEFAULT_LANGUAGE


@cache
def format_rules(language: str = DEFAULT_LANGUAGE) -> FormatRules:
    """The format rules of `language`, each pattern checked to be present and a valid regular expression."""
    path = rules_path(language)
    data = load_yaml(path, 1024 * 1024, "rules file")
    block = data.get("format") if isinstance(data, dict) else None
    if not isinstance(block, dict):
        raise InputError(path, 0, "no 'format' block: the report format of this language is missing")
    header = block.get("header") or {}
    return FormatRules(
        language=language,
        path=path,
        patterns={key: _compile(path, key, block.get(key)) for key in PATTERN_KEYS},
        header={key: _compile(path, f"header.{key}", header.get(key)) for key in HEADER_KEYS},
        months=dict(block.get("months") or {}),
        issue_months=dict(block.get("issue_months") or {}),
        numerals=dict(block.get("numerals") or {}),
        ordinals=dict(block.get("ordinals") or {}),
        terminal=str(block.get("terminal", "")),
        closers=str(block.get("closers", "")),
    )


def _compile(path: Path, key: str, value: object) -> re.Pattern[str]:
    if not isinstance(value, str):
        raise InputError(path, 0, f"format rule {key!r} is missing or not a string")
    try:
        return re.compile(value)
    except re.error as err:
        raise InputError(path, 0, f"format rule {key!r} is not a valid regular expression: {err}") from None
