"""A campaign's dates as people write them: the range's structure is read here, each
date expression in it by the library (days.read).

    next week · this month · all of January · January 2027        one named period
    from tomorrow for two weeks · starting Monday for 10 days     a start and a length
    for 10 days from 1 Dec · the next 2 weeks · for a week        (a length alone: from today)
    1 Dec – 14 Dec · Dec 1 to Dec 14 2026 · 1/12 - 14/12          two dates
    1-14 Dec · Dec 1-14, 2026                                     one month written once

A week runs Monday to Sunday. A period that has begun ("this week", "all of November"
typed on 21 November) runs from today; anything else must start today or later, end on
or after its start, and end within MAX_DAYS_AHEAD days.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from domain.timegrammar import days
from domain.timegrammar.days import DateInputError, show
from domain.timegrammar.library import Reading
from domain.timegrammar.order import day_first

MAX_DAYS_AHEAD = 365
EXAMPLES = "“1 Dec – 14 Dec”, “next week”, “from tomorrow for two weeks” or “all of January”"
COMMON = (("This week", "this week"), ("Next week", "next week"),
          ("Next 2 weeks", "the next 2 weeks"), ("This month", "this month"))  # fmt: skip
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}  # fmt: skip

_LENGTH = (
    r"(?:(?P<n>\d{1,3}|" + "|".join(NUMBERS) + r")\s+(?P<unit>days?|weeks?|months?)"
    r"|(?:a\s+)?(?P<fortnight>fortnight))"
)
_FROM = r"(?:from|starting(?:\s+(?:on|from))?|beginning(?:\s+on)?|start(?:ing)?\s+on)"
_START_FOR = re.compile(rf"(?:{_FROM}\s+)?(?P<start>.+?),?\s+for\s+(?:the\s+next\s+)?{_LENGTH}")
_FOR_START = re.compile(rf"for\s+{_LENGTH}\s+{_FROM}\s+(?P<start>.+)")
_LENGTH_STARTING = re.compile(rf"{_LENGTH}\s+(?:starting|beginning)(?:\s+on)?\s+(?P<start>.+)")
_FROM_TODAY = re.compile(rf"(?:for\s+)?(?:the\s+)?(?:(?:next|coming)\s+)?{_LENGTH}")
_DASH = r"\s*(?:-|–|—|to|until|till|through|thru)\s*"
_ORDINAL = r"(?:st|nd|rd|th)?"
_DAYS_THEN_MONTH = re.compile(
    rf"(?P<d1>\d{{1,2}}){_ORDINAL}{_DASH}(?P<d2>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<rest>[a-z].*)"
)
_MONTH_THEN_DAYS = re.compile(
    rf"(?P<month>[a-z]+\.?)\s*(?P<d1>\d{{1,2}}){_ORDINAL}{_DASH}(?P<d2>\d{{1,2}}){_ORDINAL}"
    r"(?P<year>,?\s*\d{4})?"
)
_SEPARATOR = re.compile(
    r"\s+(?:to|until|till|through|thru|and|bis)\s+|\s*[–—]\s*|\s*-\s*|\s*\.\.\s*"
)
_WHOLE = re.compile(
    r"(?:(?:all|the\s+whole|whole|the\s+rest|rest|throughout|during|in|over)\s+(?:of\s+)?)?"
    r"(?:the\s+month\s+of\s+)?(?P<what>.+)"
)
_THE_PERIOD = ("the week", "the month")  # "the rest of the month" is this month's
_BARE_DAY = re.compile(rf"(?P<d>\d{{1,2}}){_ORDINAL}")


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date
    order_note: str | None = None  # how numbers like "1/12" were read, when there were some

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def show(self) -> str:
        """ "1 Dec – 14 Dec 2026", "20 Dec 2026 – 5 Jan 2027", or "1 Dec 2026"."""
        if self.start == self.end:
            return show(self.start)
        if self.start.year == self.end.year:
            return f"{self.start.day} {self.start:%b} – {show(self.end)}"
        return f"{show(self.start)} – {show(self.end)}"

    def label(self) -> str:
        """Short, for a button: "23–29 Nov", "30 Nov – 6 Dec", "22 Nov"."""
        if self.start == self.end:
            return f"{self.start.day} {self.start:%b}"
        if (self.start.year, self.start.month) == (self.end.year, self.end.month):
            return f"{self.start.day}–{self.end.day} {self.end:%b}"
        return f"{self.start.day} {self.start:%b} – {self.end.day} {self.end:%b}"


def read_range(text: str, today: date, tz: ZoneInfo) -> DateRange:
    """The campaign's first and last day; DateInputError says what was wrong."""
    cleaned = days.clean(text)
    found = _with_length(cleaned, today, tz) or _two_dates(cleaned, today, tz)
    found = found or _one_period(cleaned, today, tz)
    if found is None:
        raise DateInputError(
            f"I couldn't read “{' '.join(text.split())}” as dates. Send them like "
            f"{EXAMPLES} (dates are in {tz.key})."
        )
    start, end = found
    note = _order_note(tz) if days.is_numeric(cleaned) else None
    try:
        _check(start, end, today)
    except DateInputError as error:
        raise DateInputError(f"{error} {note}" if note else str(error)) from None
    return DateRange(start, end, note)


def common_ranges(today: date, tz: ZoneInfo) -> list[tuple[str, DateRange]]:
    """The ranges offered as buttons after two failed tries, read by the same grammar."""
    return [(name, read_range(phrase, today, tz)) for name, phrase in COMMON]


def _with_length(text: str, today: date, tz: ZoneInfo) -> tuple[date, date] | None:
    for pattern in (_START_FOR, _FOR_START, _LENGTH_STARTING):
        match = pattern.fullmatch(text)
        if match is not None:
            reading = days.read(match["start"].strip(" ,"), today, tz)
            if reading is None:
                return None
            start = _first_day(reading, today)
            return start, _add(start, match) - timedelta(days=1)
    match = _FROM_TODAY.fullmatch(text)
    return (today, _add(today, match) - timedelta(days=1)) if match is not None else None


def _add(start: date, match: re.Match[str]) -> date:
    """The day after a length from `start`: 2 weeks from 1 Dec → 15 Dec."""
    if match["fortnight"]:
        return start + timedelta(days=14)
    count, unit = NUMBERS.get(match["n"]) or int(match["n"]), match["unit"].rstrip("s")
    if unit == "month":
        return _months_later(start, count)
    return start + timedelta(days=count * (7 if unit == "week" else 1))


def _months_later(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _two_dates(text: str, today: date, tz: ZoneInfo) -> tuple[date, date] | None:
    text = re.sub(r"^(?:from|between)\s+", "", text)
    for first, second in _spans(text):
        start_reading = days.read(first, today, tz)
        if start_reading is None or start_reading.period not in ("day", "month"):
            continue
        start = _first_day(start_reading, today)
        end = _last_day(second, start, today, tz)
        if end is not None:
            return start, end
    return None


def _spans(text: str) -> list[tuple[str, str]]:
    """Where the range may split into its two dates, the month-once forms first."""
    spans = []
    if (match := _DAYS_THEN_MONTH.fullmatch(text)) is not None:
        spans.append((f"{match['d1']} {match['rest']}", f"{match['d2']} {match['rest']}"))
    if (match := _MONTH_THEN_DAYS.fullmatch(text)) is not None:
        year, month = (match["year"] or "").strip(" ,"), match["month"]
        spans.append(
            (f"{month} {match['d1']} {year}".strip(), f"{month} {match['d2']} {year}".strip())
        )
    return spans + [
        (text[: cut.start()].strip(" ,"), text[cut.end() :].strip(" ,"))
        for cut in _SEPARATOR.finditer(text)
    ]


def _first_day(reading: Reading, today: date) -> date:
    if reading.period == "day":
        return days.choose(reading, lambda day: day >= today, today)
    return _whole(reading, today)[0]


def _whole(reading: Reading, today: date) -> tuple[date, date]:
    """A week or a month; one under way runs from today ("this month", "all of November")."""
    period = reading.period
    chosen = days.choose(reading, lambda day: _period_end(day, period) >= today, today)
    start, end = _period_start(chosen, period), _period_end(chosen, period)
    return (max(start, today) if end >= today else start), end


def _last_day(text: str, start: date, today: date, tz: ZoneInfo) -> date | None:
    if (bare := _BARE_DAY.fullmatch(text)) is not None:  # "1 Dec - 14": the start's month
        return _same_month(start, int(bare["d"]))
    reading = days.read(text, today, tz)
    if reading is None or reading.period not in ("day", "month"):
        return None
    period = reading.period
    chosen = days.choose(reading, lambda day: _period_end(day, period) >= start, today)
    return _period_end(chosen, period)


def _same_month(start: date, day: int) -> date:
    try:
        end = start.replace(day=day)
    except ValueError:
        raise DateInputError(f"{start:%B} has no day {day}.") from None
    return end if end >= start else _months_later(end, 1)


def _one_period(text: str, today: date, tz: ZoneInfo) -> tuple[date, date] | None:
    match = _WHOLE.fullmatch(text)
    reading = days.read(text, today, tz)
    if reading is None and match is not None:  # "all of January" → "january"
        what = match["what"]
        reading = days.read(f"this {what[4:]}" if what in _THE_PERIOD else what, today, tz)
    if reading is None or reading.period == "year":
        return None
    if reading.period == "day":
        day = _first_day(reading, today)
        return day, day
    return _whole(reading, today)


def _period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if period == "month" else day


def _period_end(day: date, period: str) -> date:
    if period == "week":
        return day + timedelta(days=6 - day.weekday())
    if period == "month":
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return day


def _check(start: date, end: date, today: date) -> None:
    if start < today:
        raise DateInputError(
            f"The campaign can't start in the past: {show(start)} is before today ({show(today)})."
        )
    if end < start:
        raise DateInputError(f"The end, {show(end)}, is before the start, {show(start)}.")
    last = today + timedelta(days=MAX_DAYS_AHEAD)
    if end > last:
        raise DateInputError(
            f"The campaign must end within {MAX_DAYS_AHEAD} days, by {show(last)}."
        )


def _order_note(tz: ZoneInfo) -> str:
    first = "day" if day_first(tz) else "month"
    return f"Numbers like 1/12 are read {first} first, as usual in {tz.key}."
