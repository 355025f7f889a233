"""Language marks in the site (issue 13, item 4): every text node of every page sits in an element whose nearest
``lang`` is its language — Chinese under ``zh``, Cyrillic under ``ru``, Arabic under ``ar`` — and the writer's
marking splits an English label quoting Chinese words into its two languages."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kg_build.publish.site.lang import in_lang, marked

SCRIPTS = {"zh": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e]"),
           "ru": re.compile(r"[\u0400-\u04ff]"), "ar": re.compile(r"[\u0600-\u06ff]")}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class LangTexts(HTMLParser):
    """Every non-blank text node of a page with the nearest ``lang`` above it."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str | None]] = []
        self.texts: list[tuple[str, str]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if data.strip():
            lang = next((lang for _, lang in reversed(self.open) if lang is not None), "")
            self.texts.append((lang, data.strip()))


def misplaced(text: str) -> list[str]:
    """The text nodes of a page in a script whose language is not their nearest ``lang``."""
    found = []
    for lang, data in LangTexts(text).texts:
        for script, pattern in SCRIPTS.items():
            if pattern.search(data) and lang.split("-")[0].lower() != script:
                found.append(f"{script} text under lang={lang!r}: {data[:60]!r}")
    return found


@pytest.fixture(scope="module")
def site_pages(built_dist: Path) -> list[Path]:
    return sorted((built_dist / "site").rglob("*.html"))


def test_every_text_of_every_page_is_under_its_own_lang(site_pages: list[Path]) -> None:
    assert len(site_pages) > 400
    problems = [f"{page}: {problem}" for page in site_pages for problem in misplaced(page.read_text(encoding="utf-8"))]
    assert not problems, f"{len(problems)} text nodes outside their language, first: {problems[:5]}"


def test_cldr_names_in_other_languages_carry_their_own_lang(built_dist: Path) -> None:
    texts = LangTexts((built_dist / "site/id/state/ECU/index.html").read_text(encoding="utf-8")).texts
    assert ("ru", "Эквадор") in texts and ("ar", "الإكوادور") in texts and ("fr", "Équateur") in texts


def test_the_checker_finds_chinese_inside_english() -> None:
    assert misplaced('<html lang="zh"><body><span lang="en">Mention of 秘书处</span></body></html>')
    assert not misplaced('<html lang="zh"><body><span lang="en">Mention of <span lang="zh">秘书处</span></span>'
                         "</body></html>")


def test_marking_wraps_each_chinese_run_of_an_english_text() -> None:
    assert marked("Mention of 秘书处 & 第 16 条", "en") == ('Mention of <span lang="zh">秘书处</span> &amp; '
                                                         '<span lang="zh">第 16 条</span>')
    assert marked("秘书处 <b>", "zh") == "秘书处 &lt;b&gt;"
    assert in_lang("Ecuador", "en") == '<span lang="en">Ecuador</span>'
    assert in_lang("厄瓜多尔", "zh") == "厄瓜多尔"
