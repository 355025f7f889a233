"""Generators of other reports of the same series, made from the seed by editing its *format*:
renumbering, inserted paragraphs, moved page breaks, CRLF line ends, a byte-order mark."""

from __future__ import annotations

import re

PARA_LINE = re.compile(r"^(\d+)\. ", re.M)
PAGE_BREAK = "\n\n\n\n"


def renumber(text: str) -> str:
    """Number the paragraphs 1, 2, 3 … in the order they stand."""
    counter = iter(range(1, 10_000))
    return PARA_LINE.sub(lambda m: f"{next(counter)}. ", text)


def insert_paragraph(text: str, after: int, body: str) -> str:
    """Insert a new paragraph after paragraph `after` (before the next numbered line), then renumber."""
    following = re.search(rf"^{after + 1}\. ", text, re.M)
    assert following, f"no paragraph {after + 1}"
    return renumber(text[: following.start()] + f"{after + 1}. {body}\n\n" + text[following.start() :])


def delete_paragraph(text: str, number: int) -> str:
    """Remove paragraph `number` (its line and the blank line after it), leaving the numbering as is."""
    return re.sub(rf"^{number}\. [^\n]*\n\n", "", text, count=1, flags=re.M)


STRUCTURED = re.compile(r"^(\d+\. |[一二三四五六七八九十]+\. |[A-Z]\. |-?\s*\([a-z]\)|[¹²³⁴⁵⁶⁷⁸⁹]|\*\*|附件$)")

PROSE = re.compile(r"^(\d+\. |-?\s*\([a-z]\))")


def heal_page_breaks(text: str) -> str:
    """Undo page breaks: a line cut mid-sentence, blank lines, then a line that starts no new unit."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        previous = next((i for i in range(len(out) - 1, -1, -1) if out[i].strip()), None)
        if (line.strip() and previous is not None and "\t" not in line and not STRUCTURED.match(line)
                and not out[previous].rstrip().endswith(tuple("。；：？！")) and PROSE.match(out[previous])):
            out[previous] = out[previous].rstrip() + line.strip()
            del out[previous + 1 :]
            continue
        out.append(line)
    return "\n".join(out)


def break_line_at(text: str, line_start: str, fraction: float) -> str:
    """Put a page break inside the line starting with `line_start`, at a CJK character near `fraction`."""
    start = text.index(line_start)
    end = text.index("\n", start)
    cut = start + int((end - start) * fraction)
    while not ("\u4e00" <= text[cut - 1] <= "\u9fff" and "\u4e00" <= text[cut] <= "\u9fff"):
        cut += 1
    return text[:cut] + PAGE_BREAK + text[cut:]


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def with_bom(text: str) -> str:
    return "\ufeff" + text
