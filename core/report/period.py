"""The period a report covers, as people type it: days that have passed, never ahead.

    last week · this month · last month · last 7 days · the past 2 weeks · yesterday
    November · all of Nov 2026 · 1 Nov – 30 Nov · 1-14 Nov · 3/11 to 9/11 · 5 Dec

Each date expression is read by the repository's date grammar (domain.timegrammar: the same
library, the same day/month order for TIMEZONE as /campaign); only the structure around it
differs, because a report looks back: a date without a year that would be ahead of today
is last year's, and a period under way ends today. The first read imports dateparser
(~0.4 s), so handlers call this in a worker thread.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from domain.timegrammar import DateInputError, DateRange
from domain.timegrammar import days as grammar
from domain.timegrammar.days import show

MAX_DAYS = 366
# A date without a year up to this far ahead is a slip, refused as not yet happened;
# further ahead it is last year's ("10 Dec" typed in February).
AHEAD_IS_A_SLIP = timedelta(days=60)
EXAMPLES = "“last week”, “last 30 days”, “November” or “1 Nov – 30 Nov”"
NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12}  # fmt: skip
_LAST_N = re.compile(
    r"(?:(?:the\s+)?(?:last|past|previous)\s+)?(?P<n>\d{1,3}|" + "|".join(NUMBERS) + r")\s+"
    r"(?P<unit>days?|weeks?|months?)"
)
_NAMED = re.compile(r"(?P<which>this|last|previous|past)\s+(?P<unit>week|month|year)")
_DAYS_THEN_MONTH = re.compile(r"(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s*[-–—]\s*(?P<rest>\d{1,2}.*)")
_SEPARATOR = re.compile(r"\s+(?:to|until|till|through|thru|and)\s+|\s*[–—-]\s*|\s*\.\.\s*")
_WHOLE = re.compile(r"(?:(?:all|the\s+whole|whole)\s+(?:of\s+)?|in\s+)?(?P<what>.+)")
_YEAR = re.compile(r"\b\d{4}\b")


def read_period(text: str, today: date, tz: ZoneInfo) -> DateRange:
    """The first and last day (both included, in TIMEZONE); DateInputError says what was wrong."""
    cleaned = grammar.clean(text)
    found = _last_n(cleaned, today) or _named(cleaned, today)
    found = found or _two_dates(cleaned, today, tz) or _one_period(cleaned, today, tz)
    if found is None:
        raise DateInputError(
            f"I couldn't read “{' '.join(text.split())}” as a period. Send it like "
            f"{EXAMPLES} (dates are in {tz.key})."
        )
    start, end = found
    _check(start, end, today)
    return DateRange(start, min(end, today))


def _last_n(text: str, today: date) -> tuple[date, date] | None:
    """ "last 7 days" ends today and has seven days in it."""
    match = _LAST_N.fullmatch(text)
    if match is None:
        return None
    count, unit = NUMBERS.get(match["n"]) or int(match["n"]), match["unit"].rstrip("s")
    if unit == "month":
        return _months_before(today, count) + timedelta(days=1), today
    return today - timedelta(days=count * (7 if unit == "week" else 1) - 1), today


def _named(text: str, today: date) -> tuple[date, date] | None:
    """This week (Monday to today), last week (the Monday to Sunday before), and so on."""
    match = _NAMED.fullmatch(text)
    if match is None:
        return None
    unit, back = match["unit"], match["which"] != "this"
    if unit == "week":
        monday = today - timedelta(days=today.weekday() + (7 if back else 0))
        return monday, monday + timedelta(days=6)
    if unit == "month":
        first = _months_before(today.replace(day=1), 1 if back else 0)
        return first, _month_end(first)
    year = today.year - (1 if back else 0)
    return date(year, 1, 1), date(year, 12, 31)


def _two_dates(text: str, today: date, tz: ZoneInfo) -> tuple[date, date] | None:
    text = re.sub(r"^(?:from|between)\s+", "", text)
    for first, second in _spans(text):
        end = _day(second, today, tz)
        if end is None:
            continue
        start = _day(first, today, tz, year_of=end if not _YEAR.search(first) else None)
        if start is not None:
            return start, end
    return None


def _spans(text: str) -> list[tuple[str, str]]:
    """Where the text may split into two dates; "1-14 Nov" writes the month once."""
    spans = []
    if (match := _DAYS_THEN_MONTH.fullmatch(text)) is not None and " " in match["rest"]:
        rest = match["rest"].split(None, 1)[1]
        spans.append((f"{match['d1']} {rest}", match["rest"]))
    cuts = _SEPARATOR.finditer(text)
    return spans + [(text[: c.start()].strip(" ,"), text[c.end() :].strip(" ,")) for c in cuts]


def _day(text: str, today: date, tz: ZoneInfo, year_of: date | None = None) -> date | None:
    """One day. Without a year: the first date of a range is in the end's year, or the
    year before (20 Dec – 5 Jan); another date well ahead of today is last year's."""
    reading = grammar.read(text, today, tz)
    if reading is None or reading.period != "day":
        return None
    day = reading.current
    if _YEAR.search(text):
        return day
    if year_of is not None:
        day = _with_year(day, year_of.year)
        return _with_year(day, year_of.year - 1) if day > year_of else day
    return _with_year(day, day.year - 1) if day - today > AHEAD_IS_A_SLIP else day


def _one_period(text: str, today: date, tz: ZoneInfo) -> tuple[date, date] | None:
    """A month ("November", "all of Nov 2026") or a single day ("5 Dec", "yesterday")."""
    match = _WHOLE.fullmatch(text)
    what = match["what"] if match is not None else text
    reading = grammar.read(what, today, tz)
    if reading is None or reading.period not in ("day", "month"):
        return None
    if reading.period == "day":
        day = _day(what, today, tz)
        return (day, day) if day is not None else None
    first = reading.current.replace(day=1)
    if first > today and not _YEAR.search(what):
        first = _with_year(first, first.year - 1)
    return first, _month_end(first)


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _with_year(day: date, year: int) -> date:
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def _check(start: date, end: date, today: date) -> None:
    if start > today:
        raise DateInputError(
            f"{show(start)} hasn't happened yet. A report covers days up to today ({show(today)})."
        )
    if end < start:
        raise DateInputError(f"The end, {show(end)}, is before the start, {show(start)}.")
    if (min(end, today) - start).days + 1 > MAX_DAYS:
        raise DateInputError(f"A report covers at most {MAX_DAYS} days; try a shorter period.")
