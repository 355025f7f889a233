"""A small SVG writer for the site's pictures: horizontal bar charts and a network's member diagram. Each is inline
``<svg role="img">`` with a ``<title>`` and a ``<desc>`` in Chinese and in English (the desc lists every value, so the
numbers can be read without the picture), labels in both languages as text, integer coordinates, no script, no font
or anything else from another host, and the same bytes for the same input."""

from __future__ import annotations

import html
from dataclasses import dataclass

from kg_build.publish.site.lang import has_cjk, marked

SVG_NS = "http://www.w3.org/2000/svg"
ZH_SIZE, EN_SIZE = 14, 12  # font sizes of a label's Chinese and English lines
ROW, GAP, PAD = 40, 6, 8  # height of a labelled row, space between boxes, margin
BAR_SPAN = 300  # length of the longest bar
INK, MUTED, RULE = "#1d1d1f", "#555", "#bbb"


@dataclass(frozen=True)
class Label:
    """A thing's name in Chinese and in English, and the relative link to its page ("" for none)."""

    zh: str
    en: str
    link: str = ""


@dataclass(frozen=True)
class Bar:
    """One bar: what it counts and how many."""

    label: Label
    value: int


def attr(text: object) -> str:
    return html.escape(str(text), quote=True)


def text_width(text: str, size: int) -> int:
    """About how wide `text` is drawn at `size` px: a Chinese character is square, a Latin one about 0.6 of it."""
    return round(sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text))


def label_width(label: Label) -> int:
    return max(text_width(label.zh, ZH_SIZE), text_width(label.en, EN_SIZE))


def label_lines(label: Label, x: int, y: int, anchor: str = "start") -> str:
    """A label's two lines at (`x`, `y` = top of its row): Chinese above, English below in grey."""
    at = f' text-anchor="{anchor}"' if anchor != "start" else ""
    lines = [f'<text x="{x}" y="{y + 16}" font-size="{ZH_SIZE}" fill="{INK}"{at}>{attr(label.zh)}</text>']
    if label.en and label.en != label.zh:
        lines.append(f'<text x="{x}" y="{y + 33}" font-size="{EN_SIZE}" fill="{MUTED}" lang="en"{at}>'
                     f'{marked(label.en, "en", "tspan")}</text>')
    return "".join(lines)


def linked(label: Label, inner: str) -> str:
    """`inner` as a link to the label's page when it has one."""
    return f'<a href="{attr(label.link)}">{inner}</a>' if label.link else inner


def svg(width: int, height: int, title: Label, desc: Label, body: list[str], css: str) -> str:
    """The ``<svg>`` element: accessible name and description in Chinese, then in English (left out when some name
    has no English, so the English would quote Chinese), then the drawing."""
    named = f"<title>{attr(title.zh)}</title><desc>{attr(desc.zh)}</desc>"
    if not has_cjk(title.en + desc.en):
        named = (f'<title>{attr(title.zh)}</title><title lang="en">{attr(title.en)}</title>'
                 f'<desc>{attr(desc.zh)}</desc><desc lang="en">{attr(desc.en)}</desc>')
    return (f'<svg xmlns="{SVG_NS}" class="{attr(css)}" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">{named}{"".join(body)}</svg>')


def bar_chart(title: Label, bars: list[Bar], colour: str) -> str:
    """Horizontal bars in the order given, each with its two-line label on the left and its count at its end."""
    left = PAD + max((label_width(b.label) for b in bars), default=0) + 2 * PAD
    most = max((b.value for b in bars), default=0) or 1
    width = left + BAR_SPAN + 5 * PAD
    height = len(bars) * ROW + 2 * PAD
    body = [f'<line x1="{left}" y1="{PAD}" x2="{left}" y2="{height - PAD}" stroke="{RULE}"/>']
    for i, bar in enumerate(bars):
        top = PAD + i * ROW
        length = max(1, round(BAR_SPAN * bar.value / most))
        body.append(f'<g class="bar">{linked(bar.label, label_lines(bar.label, PAD, top))}'
                    f'<rect x="{left}" y="{top + 8}" width="{length}" height="{ROW - 16}" fill="{colour}"/>'
                    f'<text x="{left + length + PAD // 2}" y="{top + 25}" font-size="{ZH_SIZE}" fill="{INK}">'
                    f"{bar.value}</text></g>")
    desc = Label("；".join(f"{b.label.zh}：{b.value}" for b in bars) + "。",
                 "; ".join(f"{b.label.en or b.label.zh}: {b.value}" for b in bars) + ".")
    return svg(width, height, title, desc, body, "chart bars")


def member_diagram(title: Label, centre: Label, members: list[Label]) -> str:
    """The network on the left, joined by a line to each of its members in a column on the right; each member
    (and the network) a link to its page."""
    centre_width = label_width(centre) + 2 * PAD
    member_width = max((label_width(m) for m in members), default=0) + 2 * PAD
    column = PAD + centre_width + 12 * PAD
    height = max(len(members), 1) * (ROW + GAP) - GAP + 2 * PAD
    middle = height // 2
    tops = [PAD + i * (ROW + GAP) for i in range(len(members))]
    body = [connector(PAD + centre_width, middle, column, top + ROW // 2) for top in tops]
    body.append(box(centre, PAD, middle - ROW // 2, centre_width, "#e3ecfb"))
    body += [box(member, column, top, member_width, "#f4f4f4") for member, top in zip(members, tops, strict=True)]
    desc = Label(f"{centre.zh}的成员：" + "、".join(m.zh for m in members) + "。",
                 f"Members of {centre.en or centre.zh}: " + ", ".join(m.en or m.zh for m in members) + ".")
    return svg(column + member_width + PAD, height, title, desc, body, "chart members")


def box(label: Label, x: int, y: int, width: int, fill: str) -> str:
    """A rounded box holding a two-line label, linked to the label's page."""
    shape = f'<rect x="{x}" y="{y}" width="{width}" height="{ROW}" rx="6" fill="{fill}" stroke="{RULE}"/>'
    return linked(label, shape + label_lines(label, x + PAD, y + 1))


def connector(x1: int, y1: int, x2: int, y2: int) -> str:
    """A curve leaving (x1, y1) and reaching (x2, y2) horizontally."""
    bend = (x2 - x1) // 2
    return (f'<path d="M{x1} {y1} C{x1 + bend} {y1} {x2 - bend} {y2} {x2} {y2}" fill="none" stroke="{RULE}" '
            'stroke-width="1.5"/>')
