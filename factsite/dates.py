"""Dates at the precision they are known: a year, a month or a day, maybe approximate.

News timelines rarely know every day: an article is "from January 2025", a denial
happened "around March 2025". The content writes ``2025``, ``2025-01``,
``2025-01-23`` or ``~2025-03`` (about March 2025), and ``unknown`` where nobody
knows. Each date is an interval (its earliest and latest possible day), which is
what ordering and "before/after publication" need, and it prints at its own
precision ("May 2025", never "1 May 2025").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from .layout import UNKNOWN

_PATTERN = re.compile(r"(~)?(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
MONTHS = tuple(calendar.month_name)  # ("", "January", ...): English, whatever the locale


@dataclass(frozen=True, order=True, kw_only=True)
class PartialDate:
    """A calendar date known to the year, month or day."""

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False
    """True for ``~`` dates: the reviewer knows the date only roughly."""

    @property
    def precision(self) -> str:
        """``"year"``, ``"month"`` or ``"day"``."""
        return "day" if self.day else "month" if self.month else "year"

    def earliest(self) -> dt.date:
        """The first day this date could be."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date:
        """The last day this date could be."""
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def iso(self) -> str:
        """Machine form at its precision, valid in ``<time datetime>``: ``2025``, ``2025-05``, ``2025-05-06``."""
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p]
        return "-".join(parts)

    def source_text(self) -> str:
        """The form a reviewer writes in YAML (``~`` included)."""
        return ("~" if self.approximate else "") + self.iso()

    def display(self) -> str:
        """Reader's form: ``6 May 2025``, ``May 2025``, ``2025``, ``about March 2025``."""
        words = [str(self.day)] if self.day else []
        words += [MONTHS[self.month]] if self.month else []
        text = " ".join(words + [str(self.year)])
        return f"about {text}" if self.approximate else text


def parse_date(text: str) -> PartialDate | None:
    """``"2025-08"`` → PartialDate(2025, 8); ``"unknown"`` → None; raises ValueError if malformed."""
    text = str(text).strip()
    if text == UNKNOWN:
        return None
    match = _PATTERN.fullmatch(text)
    if not match:
        raise ValueError(
            f"'{text}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD (prefix '~' for an approximate date), or 'unknown'"
        )
    approx, year, month, day = match.groups()
    date = PartialDate(
        year=int(year), month=int(month) if month else None, day=int(day) if day else None, approximate=bool(approx)
    )
    try:  # let datetime judge month and day ranges (31 April, 29 February)
        dt.date(date.year, date.month or 1, date.day or 1)
    except ValueError as err:
        raise ValueError(f"'{text}' is not a real date ({err})") from None
    return date


def display_range(start: PartialDate, end: PartialDate | None) -> str:
    """``19–21 August 2025``, ``14 July – 15 August 2025``, or one date when there is no end."""
    if end is None or end == start:
        return start.display()
    same_precision = start.precision == end.precision == "day" and start.approximate == end.approximate
    if same_precision and start.year == end.year:
        prefix = "about " if start.approximate else ""
        if start.month == end.month:
            return f"{prefix}{start.day}–{end.day} {MONTHS[end.month]} {end.year}"
        return f"{prefix}{start.day} {MONTHS[start.month]} – {end.day} {MONTHS[end.month]} {end.year}"
    return f"{start.display()} – {end.display()}"


@dataclass(frozen=True, kw_only=True)
class Window:
    """The days an article can have been published on; either end may be open (not known)."""

    earliest: dt.date | None
    latest: dt.date | None


def publication_window(
    published: PartialDate | None, not_before: PartialDate | None, not_after: PartialDate | None
) -> Window | None:
    """What the date and its bounds together say, or None when nothing is known.

    A month-precision date with ``not_before`` narrows to the days of the month from that bound; a
    ``not_before`` alone leaves the latest day open (it is not known, and is not the bound itself).
    """
    if not (published or not_before or not_after):
        return None
    lows = [d.earliest() for d in (published, not_before) if d]
    highs = [d.latest() for d in (published, not_after) if d]
    return Window(earliest=max(lows) if lows else None, latest=min(highs) if highs else None)


def relation(event_start: PartialDate, event_end: PartialDate | None, window: Window) -> str:
    """Where an event stands against a publication window.

    ``"before"``: it ended before the article can have been published. ``"after"``: it began after the
    last day the article can have been published, so the article could not have known it. ``"later"``:
    it began after the earliest possible day while the latest is not known, so it may or may not have
    come before publication. ``"around"``: the dates overlap at their precision.
    """
    if window.latest and event_start.earliest() > window.latest:
        return "after"
    if window.earliest and (event_end or event_start).latest() < window.earliest:
        return "before"
    if window.latest is None and window.earliest and event_start.earliest() > window.earliest:
        return "later"
    return "around"
