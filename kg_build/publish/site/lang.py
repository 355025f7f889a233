"""Language marks for the site's text: every text shows inside an element whose ``lang`` is its language. Pages are
``lang="zh"``; a literal in another language gets its own span, and Chinese words inside such a literal (an English
label quoting the report, "Mention of 秘书处") get a ``lang="zh"`` span of their own."""

from __future__ import annotations

import html
import re

PAGE_LANG = "zh"
_HAN = r"\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
CJK_RUN = re.compile(rf"[{_HAN}]+(?:[\s\d.]+[{_HAN}]+)*")


def has_cjk(text: str) -> bool:
    """Whether `text` holds a Chinese (CJK) character or punctuation mark."""
    return CJK_RUN.search(text) is not None


def is_chinese(lang: str) -> bool:
    return lang.lower() == "zh" or lang.lower().startswith("zh-")


def marked(text: str, lang: str, tag: str = "span") -> str:
    """`text` escaped for an element in `lang`; outside Chinese, each run of Chinese is wrapped in a `tag` with
    ``lang="zh"`` (``tspan`` inside SVG text)."""
    if is_chinese(lang):
        return html.escape(text, quote=True)
    out, pos = [], 0
    for run in CJK_RUN.finditer(text):
        out.append(html.escape(text[pos:run.start()], quote=True))
        out.append(f'<{tag} lang="zh">{html.escape(run.group(), quote=True)}</{tag}>')
        pos = run.end()
    out.append(html.escape(text[pos:], quote=True))
    return "".join(out)


def in_lang(text: str, lang: str, css: str = "") -> str:
    """`text` marked with its language: a ``lang`` span unless it is the page's language (or unknown)."""
    cls = f' class="{html.escape(css, quote=True)}"' if css else ""
    if not lang or is_chinese(lang):
        return f"<span{cls}>{marked(text, lang)}</span>" if cls else marked(text, lang)
    return f'<span lang="{html.escape(lang, quote=True)}"{cls}>{marked(text, lang)}</span>'


def lang_attribute(lang: str) -> str:
    """`` lang="…"`` for an element holding text in `lang` ("" when the language is unknown)."""
    return f' lang="{html.escape(lang, quote=True)}"' if lang else ""
