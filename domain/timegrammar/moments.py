"""One moment as a person types it, for a post's time: read in TIMEZONE, returned in UTC.

    18:30 · 9am · tomorrow 9:30 · fri 10:00 · next monday at 7pm · 3 Dec 18:00
    Dec 3 at 6pm · 24.11 18:00 · 2026-11-24 18:00 · 2026-11-24T18:00 · in 2h · in 45 min

The time of day comes last and is always given (with minutes or am/pm); the day before
it is read by the library (days.read) and chosen as days.choose says. A bare time is
today if still ahead, else tomorrow; a weekday whose time has passed today is next
week's. The result must be ahead of now and within two years. A wall time the clocks
skip (spring forward) is refused with the reason; one that happens twice (the autumn
fold) means the first, both through domain.localtime.wall_to_utc.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.localtime import NonexistentLocalTime, wall_to_utc
from domain.timegrammar import days
from domain.timegrammar.days import DateInputError

EXAMPLES = "18:30, tomorrow 9:30, fri 10:00, 3 Dec 18:00, 24.11 18:00, 2026-11-24 18:00 or in 2h"
MAX_AHEAD = timedelta(days=2 * 366)
_UNITS = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1, "h": 60, "hour": 60,
          "hours": 60, "d": 1440, "day": 1440, "days": 1440}  # fmt: skip
_RELATIVE = re.compile(r"in\s+(\d{1,4})\s*([a-z]+)")
# The time of day at the end: "18:30", "18h30", "6pm", "12:15 am" (a lone "18" is no time).
_TIME = re.compile(
    r"(?:^|(?<=\s)|(?<=,))(?:at\s+)?(?P<h>\d{1,2})(?:[:h](?P<min>\d{2}))?\s*(?P<half>am|pm)?$"
)


def read_moment(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant `text` means, strictly after `now`; DateInputError otherwise."""
    cleaned = re.sub(r"(?<=\d)t(?=\d)", " ", " ".join(text.strip().lower().split()))
    relative = _RELATIVE.fullmatch(cleaned)
    if relative is not None:
        when = _relative(relative, now, text)
    else:
        when = _absolute(cleaned, now, tz, text)
    if when <= now:
        raise DateInputError(f"{_shown(when, tz)} has already passed. Send a time ahead.")
    if when - now > MAX_AHEAD:
        raise DateInputError("That is more than two years ahead. Send a nearer time.")
    return when


def _relative(match: re.Match[str], now: datetime, text: str) -> datetime:
    amount, unit = int(match.group(1)), match.group(2)
    if unit not in _UNITS:
        raise _unreadable(text)
    return now + timedelta(minutes=amount * _UNITS[unit])


def _absolute(cleaned: str, now: datetime, tz: ZoneInfo, text: str) -> datetime:
    match = _TIME.search(cleaned)
    if match is None or (match["min"] is None and match["half"] is None):
        raise _unreadable(text)
    at = _time_of(match, text)
    local_now = now.astimezone(tz).replace(tzinfo=None)
    today = local_now.date()
    day_part = re.sub(r"(?:\s+(?:at|on))+$", "", cleaned[: match.start()].strip(" ,"))
    if not day_part:  # the next time the clock shows it
        day = today if datetime.combine(today, at) > local_now else today + timedelta(days=1)
    else:
        day = _day(day_part, today, at, local_now, tz, text)
    return _aware(day, at, tz)


def _day(part: str, today: date, at: time, local_now: datetime, tz: ZoneInfo, text: str) -> date:
    reading = days.read(days.clean(part), today, tz)
    if reading is None or reading.period != "day":
        raise _unreadable(text)
    return days.choose(reading, lambda day: datetime.combine(day, at) > local_now, today)


def _time_of(match: re.Match[str], text: str) -> time:
    hour, minute, half = int(match["h"]), int(match["min"] or 0), match["half"]
    if half is not None:
        if not 1 <= hour <= 12:
            raise _unreadable(text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise _unreadable(text)
    return time(hour, minute)


def _aware(day: date, at: time, tz: ZoneInfo) -> datetime:
    try:
        return wall_to_utc(datetime.combine(day, at), tz)
    except NonexistentLocalTime as exc:
        raise DateInputError(f"{exc}. Send another time.") from exc


def _shown(when: datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%a %d %b %H:%M")


def _unreadable(text: str) -> DateInputError:
    shown = " ".join(text.split())
    return DateInputError(f"I couldn't read “{shown}” as a time. Try {EXAMPLES}.")
