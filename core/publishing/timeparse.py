"""Read a time a person typed, in TIMEZONE, and store it in UTC. DST-safe.

Accepted: "18:30", "9am", "tomorrow 9:30", "today 17:00", "fri 10:00", "24.11 18:00",
"24.11.2026 18:00", "2026-11-24 18:00", "in 2h", "in 45 min". A bare time is today if
still ahead, else tomorrow. A wall time that does not exist (the spring-forward gap) is
refused with a reason; one that happens twice (the autumn fold) means the first.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from core.errors import ValidationFailed
from core.localtime import NonexistentLocalTime, wall_to_utc

EXAMPLES = "18:30, tomorrow 9:30, fri 10:00, 24.11 18:00, 2026-11-24 18:00 or in 2h"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNITS = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1, "h": 60, "hour": 60,
          "hours": 60, "d": 1440, "day": 1440, "days": 1440}  # fmt: skip
_RELATIVE = re.compile(r"^in\s+(\d{1,4})\s*([a-z]+)$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DOT_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?$")
MAX_AHEAD = timedelta(days=2 * 366)


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant `text` means, strictly in the future; ValidationFailed otherwise."""
    cleaned = " ".join(text.strip().lower().split())
    relative = _RELATIVE.match(cleaned)
    when = _relative(relative, now) if relative else _absolute(cleaned, now, tz)
    if when <= now:
        raise ValidationFailed([f"{_shown(when, tz)} has already passed. Send a time ahead."])
    if when - now > MAX_AHEAD:
        raise ValidationFailed(["That is more than two years ahead. Send a nearer time."])
    return when


def _relative(match: re.Match[str], now: datetime) -> datetime:
    amount, unit = int(match.group(1)), match.group(2)
    if unit not in _UNITS:
        raise _unreadable(match.group(0))
    return now + timedelta(minutes=amount * _UNITS[unit])


def _absolute(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    local_today = now.astimezone(tz).date()
    day_part, _, time_part = text.rpartition(" ")
    at = _time_of(time_part, text)
    weekday = _weekday(day_part)
    if not day_part or weekday is not None:  # the next time the clock shows it (that day)
        day = local_today + timedelta(
            days=0 if weekday is None else (weekday - local_today.weekday()) % 7
        )
        when = _aware(day, at, tz)
        step = timedelta(days=1 if weekday is None else 7)
        return when if when > now else _aware(day + step, at, tz)
    return _aware(_day_of(day_part, local_today, text), at, tz)


def _weekday(part: str) -> int | None:
    if len(part) < 3:
        return None
    return next((i for i, name in enumerate(WEEKDAYS) if name.startswith(part)), None)


def _time_of(part: str, text: str) -> time:
    match = _TIME.match(part)
    if match is None:
        raise _unreadable(text)
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half is not None:
        if not 1 <= hour <= 12:
            raise _unreadable(text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59 or (match.group(2) is None and half is None):
        raise _unreadable(text)
    return time(hour, minute)


def _day_of(part: str, today: date, text: str) -> date:
    if part in ("today", "tomorrow"):
        return today + timedelta(days=0 if part == "today" else 1)
    try:
        return _calendar_day(part, today)
    except ValueError:
        raise _unreadable(text) from None


def _calendar_day(part: str, today: date) -> date:
    if match := _ISO_DATE.match(part):
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _DOT_DATE.match(part):
        day, month = int(match.group(1)), int(match.group(2))
        if match.group(3):
            return date(int(match.group(3)), month, day)
        this_year = date(today.year, month, day)  # no year: the next such day
        return this_year if this_year >= today else date(today.year + 1, month, day)
    raise ValueError(part)


def _aware(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Wall time in `tz` → UTC. fold=0 takes the first of a doubled hour; a skipped one fails."""
    try:
        return wall_to_utc(datetime.combine(day, at), tz)
    except NonexistentLocalTime as exc:
        raise ValidationFailed([f"{exc}. Send another time."]) from exc


def _shown(when: datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%a %d %b %H:%M")


def _unreadable(text: str) -> ValidationFailed:
    return ValidationFailed([f"I couldn't read “{text}” as a time. Try {EXAMPLES}."])
