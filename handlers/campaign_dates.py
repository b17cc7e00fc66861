"""Dates and times as people type them, read in TIMEZONE.

    "1 Dec – 14 Dec", "1-14 Dec", "Dec 1 to Dec 14 2026", "2026-12-01 to 2026-12-14",
    "01.12.2026 - 14.12.2026"; and for one post "3 Dec 18:00" or "2026-12-03 18:00".

A date without a year is this year's, unless that is more than two months ago: then it
is next year's ("10 Jan" typed in November). A date a few days ago stays in the past and
is refused with a clear message, because that is what the person most likely mistyped.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS_AHEAD = 365
ROLL_OVER_AFTER = timedelta(days=60)
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip

RANGE_HELP = (
    "Send the dates like “1 Dec – 14 Dec” or “2026-12-01 to 2026-12-14” (dates are in {zone})."
)
WHEN_HELP = "Send the date and time like “3 Dec 18:00” or “2026-12-03 18:00” (in {zone})."

_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_DOTTED = re.compile(r"(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{4}))?")
_DAY_MONTH = re.compile(
    r"(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*(?P<mon>[a-z]+)\.?(?:,?\s*(?P<y>\d{4}))?"
)
_MONTH_DAY = re.compile(
    r"(?P<mon>[a-z]+)\.?\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s*(?P<y>\d{4}))?"
)
_SEPARATOR = re.compile(
    r"\s+(?:to|until|till|through|bis)\s+|\s*[–—]\s*|\s+-\s+|\s*\.\.\s*"
    r"|(?<=[a-z.])-(?=\s*\d)|(?<=\d{4})-(?=\d{1,2}[./])"
)
_DAY_SPAN = re.compile(r"(?P<d1>\d{1,2})\s*[-–—]\s*(?P<d2>\d{1,2})\s+(?P<rest>[a-z].*)")
_MONTH_SPAN = re.compile(r"(?P<mon>[a-z]+\.?)\s*(?P<d1>\d{1,2})\s*[-–—]\s*(?P<d2>\d{1,2})(?P<y>.*)")
_TIME = re.compile(r"(?P<h>\d{1,2})(?:[:.h](?P<min>\d{2}))?\s*(?P<ampm>am|pm)?")

# A day and month as typed, with the year when one was given.
Parts = tuple[int, int, int | None]


class DateInputError(ValueError):
    """The text is not a usable date; the message says why, in plain words."""


def parse_date_range(text: str, today: date, zone: str) -> tuple[date, date]:
    cleaned = _clean(text)
    pair = _day_span(cleaned) or _two_dates(cleaned)
    if pair is None:
        raise DateInputError(RANGE_HELP.format(zone=zone))
    start = _resolve_start(pair[0], pair[1], today)
    end = _resolve_end(pair[1], start)
    _check_range(start, end, today)
    return start, end


def parse_when(text: str, today: date, tz: ZoneInfo) -> datetime:
    """A date and a time of day, as an aware datetime in `tz`."""
    # "2026-12-03T18:00" and "3 Dec at 18:00" read as "… 18:00".
    cleaned = re.sub(r"(?<=\d)t(?=\d)", " ", _clean(text)).replace(" at ", " ")
    found = _last_time(cleaned)
    if found is None:
        raise DateInputError(WHEN_HELP.format(zone=tz.key))
    clock, rest = found
    parts = _one_date(rest.strip(" ,"))
    if parts is None:
        raise DateInputError(WHEN_HELP.format(zone=tz.key))
    return datetime.combine(_resolve_alone(parts, today), clock, tzinfo=tz)


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text.strip().lower())
    return re.sub(r"^(?:from|between)\s+", "", text).replace(" and ", " to ")


def _day_span(text: str) -> tuple[Parts, Parts] | None:
    """ "1-14 Dec 2026" and "Dec 1-14": one month written once."""
    if (match := _DAY_SPAN.fullmatch(text)) is not None:
        tail = _one_date(f"1 {match['rest']}")
        if tail is None:
            return None
        return (int(match["d1"]), tail[1], tail[2]), (int(match["d2"]), tail[1], tail[2])
    if (match := _MONTH_SPAN.fullmatch(text)) is not None:
        month = _month(match["mon"].rstrip("."))
        year_text = match["y"].strip(" ,")
        if month is None or (year_text and not year_text.isdigit()):
            return None
        year = int(year_text) if year_text else None
        return (int(match["d1"]), month, year), (int(match["d2"]), month, year)
    return None


def _two_dates(text: str) -> tuple[Parts, Parts] | None:
    pieces = _SEPARATOR.split(text, maxsplit=1)
    if len(pieces) != 2:
        return None
    first, second = _one_date(pieces[0].strip(" ,")), _one_date(pieces[1].strip(" ,"))
    return (first, second) if first is not None and second is not None else None


def _one_date(text: str) -> Parts | None:
    for pattern in (_ISO, _DOTTED, _DAY_MONTH, _MONTH_DAY):
        match = pattern.fullmatch(text)
        if match is None:
            continue
        groups = match.groupdict()
        month = int(groups["m"]) if "m" in groups else _month(groups["mon"])
        if month is not None:
            year = groups.get("y")
            return int(groups["d"]), month, int(year) if year else None
    return None


def _month(word: str) -> int | None:
    return MONTHS.get(word)


def _last_time(text: str) -> tuple[time, str] | None:
    """The time of day at the end ("… 18:00", "… 6pm"); the rest is the date."""
    for match in reversed(list(_TIME.finditer(text))):
        if match.end() != len(text) or (match["min"] is None and match["ampm"] is None):
            continue
        return _time_of(match), text[: match.start()]
    return None


def _time_of(match: re.Match[str]) -> time:
    hour, minute, ampm = int(match["h"]), int(match["min"] or 0), match["ampm"]
    if ampm is not None and 1 <= hour <= 12:
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    elif ampm is not None:
        hour = 99
    if hour > 23 or minute > 59:
        raise DateInputError(f"{match.group(0).strip()} is not a time of day.")
    return time(hour, minute)


def _make(day: int, month: int, year: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateInputError(f"{day:02d}.{month:02d}.{year} is not a real date.") from None


def _resolve_alone(parts: Parts, today: date) -> date:
    day, month, year = parts
    if year is not None:
        return _make(day, month, year)
    this_year = _make(day, month, today.year)
    if this_year >= today - ROLL_OVER_AFTER:
        return this_year
    return _make(day, month, today.year + 1)


def _resolve_start(start: Parts, end: Parts, today: date) -> date:
    day, month, year = start
    if year is None and end[2] is not None:
        # "1 Dec – 14 Dec 2026": the end's year, or the one before for a span over New Year.
        year = end[2] if (month, day) <= (end[1], end[0]) else end[2] - 1
        return _make(day, month, year)
    return _resolve_alone(start, today)


def _resolve_end(end: Parts, start: date) -> date:
    day, month, year = end
    if year is not None:
        return _make(day, month, year)
    candidate = _make(day, month, start.year)
    return candidate if candidate >= start else _make(day, month, start.year + 1)


def _check_range(start: date, end: date, today: date) -> None:
    if start < today:
        raise DateInputError(
            f"The campaign can't start in the past: {_show(start)} is before today "
            f"({_show(today)})."
        )
    if end < start:
        raise DateInputError(f"The end, {_show(end)}, is before the start, {_show(start)}.")
    last = today + timedelta(days=MAX_DAYS_AHEAD)
    if end > last:
        raise DateInputError(
            f"The campaign must end within {MAX_DAYS_AHEAD} days, by {_show(last)}."
        )


def _show(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
