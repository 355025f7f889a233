"""Mark the languages of an HTML page written in English with Chinese in it (pyLODE's ontology page):
``<html lang="en">``, every Chinese text in a ``<span lang="zh">``, and a combined label "English / 中文"
as two spans, so that browsers, screen readers and the Nu HTML Checker read each text in its language.

The page is re-emitted token by token with the standard library's HTML tokenizer: tags, comments and
character references are written back as they came; only text outside ``script``, ``style``,
``title`` and ``textarea`` is touched (those elements cannot hold markup). An empty ``id=""``, which
no HTML allows, is dropped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
CJK_RUN = re.compile(rf"[{CJK}](?:[{CJK}\s\w.,:;()/-]*[{CJK})])?")
HAS_CJK = re.compile(f"[{CJK}]")
COMBINED_LABEL = re.compile(rf"^(\s*)([^{CJK}]*[^\s{CJK}]) / ([^\n]*[{CJK}][^\n]*?)(\s*)$", re.S)
RAW_TEXT = frozenset({"script", "style", "title", "textarea"})
EMPTY_ID = re.compile(r'\s+id=""')


def mark_languages(page: str, language: str = "en") -> str:
    """The page with its language on ``<html>`` and every Chinese text in a ``lang="zh"`` span."""
    marker = _LanguageMarker(language)
    marker.feed(page)
    marker.close()
    return "".join(marker.out)


def zh_spans(text: str) -> str:
    """A text node with its Chinese marked: "English / 中文" as two spans, a mostly Chinese text as one
    span, and otherwise each Chinese run (such as 留尼汪 in an English sentence) in its own span."""
    if not HAS_CJK.search(text):
        return text
    combined = COMBINED_LABEL.match(text)
    if combined:
        lead, english, chinese, trail = combined.groups()
        return f'{lead}<span lang="en">{english}</span> / <span lang="zh">{chinese}</span>{trail}'
    cjk = len(HAS_CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if cjk >= latin:
        core = text.strip()
        start = text.index(core)
        return f'{text[:start]}<span lang="zh">{core}</span>{text[start + len(core):]}'
    return CJK_RUN.sub(lambda m: f'<span lang="zh">{m.group(0)}</span>', text)


class _LanguageMarker(HTMLParser):
    """Re-emits the tokens of a page, marking languages on the way."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=False)
        self.language = language
        self.out: list[str] = []
        self.raw_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text = EMPTY_ID.sub("", self.get_starttag_text() or f"<{tag}>")
        if tag == "html" and not any(name == "lang" for name, _ in attrs):
            text = text[:5] + f' lang="{self.language}"' + text[5:]
        if tag in RAW_TEXT:
            self.raw_depth += 1
        self.out.append(text)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(EMPTY_ID.sub("", self.get_starttag_text() or f"<{tag}/>"))

    def handle_endtag(self, tag: str) -> None:
        if tag in RAW_TEXT:
            self.raw_depth = max(0, self.raw_depth - 1)
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data if self.raw_depth else zh_spans(data))

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")
