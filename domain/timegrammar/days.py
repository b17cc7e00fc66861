"""Reading one day from a person's words, and choosing which one they mean.

A date without a year is this year's unless that is more than two months ago; then it is
next year's ("10 Jan" typed in November). A weekday is the coming one ("monday" typed on
a Saturday). A date a few days ago stays in the past and is refused with a clear
message, because that is what the person most likely mistyped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from domain.errors import ValidationFailed
from domain.timegrammar import library
from domain.timegrammar.library import Reading
from domain.timegrammar.order import day_first

ROLL_OVER_AFTER = timedelta(days=60)
WEEK = timedelta(days=7)
# "1.12", "01.12.2026", "1.12.": the library reads a short one as a time of day (01:12),
# so dotted dates are handed to it with slashes, read in the zone's order like "1/12".
_DOTTED = re.compile(r"\b(\d{1,2})\.(\d{1,2})(?:\.(\d{2}|\d{4}))?\.?(?![\d:])")
_NUMERIC = re.compile(r"\b\d{1,2}[./]\d{1,2}\b")
# One day and month whose day may be past the month's end: "31 Feb", "Feb 30th", "31/02".
_LATE_DAY = re.compile(
    r"(?:(?P<a>29|30|31)(?:st|th)?\s+(?:of\s+)?[a-z]+\.?|[a-z]+\.?\s+(?P<b>29|30|31)(?:st|th)?)"
    r"(?:,?\s+\d{4})?|(?P<c>29|30|31)/\d{1,2}(?:/\d{2,4})?"
)


class DateInputError(ValidationFailed):
    """The text is not a usable date or time; `str(exc)` says why, in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__([message])


def clean(text: str) -> str:
    """Lower case, single spaces, no trailing full stop; dotted dates with slashes."""
    text = " ".join(text.strip().lower().split()).rstrip(" ,;")
    return _DOTTED.sub(_slashed, text).rstrip(".")


def _slashed(match: re.Match[str]) -> str:
    return "/".join(part for part in match.groups() if part)


def is_numeric(text: str) -> bool:
    """Has a date in numbers only ("1/12"), whose order TIMEZONE decides."""
    return _NUMERIC.search(text) is not None


def read(text: str, today: date, tz: ZoneInfo) -> Reading | None:
    """The library's reading of one expression; DateInputError for "31 Feb"."""
    if not text or len(text) > 60:
        return None
    first = day_first(tz)
    reading = library.read(text, today, day_first=first)
    if reading is None and is_numeric(text):  # "12/24" in Berlin: only one order is a date
        reading = library.read(text, today, day_first=not first)
    if reading is None:
        _refuse_impossible_day(text, today, tz)
    return reading


def _refuse_impossible_day(text: str, today: date, tz: ZoneInfo) -> None:
    """ "31 Feb" reads once the day is 1: the month is real and the day is not in it."""
    match = _LATE_DAY.fullmatch(text)
    if match is None:
        return
    group = next(name for name in "abc" if match[name] is not None)
    first = text[: match.start(group)] + "1" + text[match.end(group) :]
    if library.read(first, today, day_first=day_first(tz)) is not None:
        shown = " ".join(word.capitalize() if word.isalpha() else word for word in text.split())
        raise DateInputError(f"{shown} is not a real date.")


def choose(reading: Reading, ahead: Callable[[date], bool], today: date) -> date:
    """The day meant: the current reading while it is still `ahead`, else the next one
    for a weekday or a date whose year was left out more than two months back."""
    current, future = reading.current, reading.future
    if ahead(current) or future == current:
        return current
    if future - current <= WEEK or current < today - ROLL_OVER_AFTER:
        return future
    return current


def show(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
