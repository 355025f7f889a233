"""Meeting dates as a dateline states them: the days it names one by one (15日、16日和18日) and ranges
(6日至9日), which state a first and a last day but name no day in between, nor their ends, as a meeting day."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class StatedDates:
    """What a dateline says: the days it names individually, and the first and last day of the meeting."""

    named_days: tuple[date, ...]
    start: date
    end: date


def read_dates(text: str, date_re: re.Pattern[str], range_re: re.Pattern[str]) -> StatedDates | None:
    """The dates of `text` (year and month carry over to later days); two dates joined by `range_re` are a
    range. ValueError for a day that is no calendar date; None when the text gives no full date."""
    found: list[tuple[date, int, int]] = []
    in_range: set[int] = set()
    year = month = None
    for m in date_re.finditer(text):
        year = int(m["year"]) if m["year"] else year
        month = int(m["month"]) if m["month"] else month
        if year is None or month is None:
            continue
        found.append((date(year, month, int(m["day"])), m.start(), m.end()))
        if len(found) > 1 and range_re.fullmatch(text[found[-2][2] : m.start()]):
            in_range.update((len(found) - 2, len(found) - 1))
    if not found:
        return None
    days = [d for d, _, _ in found]
    named = tuple(sorted({d for i, d in enumerate(days) if i not in in_range}))
    return StatedDates(named, min(days), max(days))
