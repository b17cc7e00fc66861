"""One date expression ("tomorrow", "1 Dec", "next week", "January") read by dateparser.

dateparser is imported the first time a person types a date, never at start-up: with
its language data it costs about 7 MiB, and the bot's memory target (RSS after the first
LLM call, bench/bench_memory.py) has no room for it. tests/domain/timegrammar checks that
importing the bot does not import it.

The library is generous: it fills what the text leaves out from the day it is given
("25.13" becomes 25 Nov 2013). A reading with digits in it therefore has to name a day
and a month itself, or be relative ("in 3 days"); otherwise the text is not a date.

Handlers read dates in a worker thread (the first read takes ~0.4 s), and dateparser
keeps state between calls that is not safe to share across threads
(scrapinghub/dateparser#441, #813), so one read runs at a time; each takes ~1 ms.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

LANGUAGES = ["en"]
PERIODS = frozenset({"day", "week", "month", "year"})
_lock = threading.Lock()


@dataclass(frozen=True)
class Reading:
    """What the words name, read two ways, so the grammar can choose (see days.choose)."""

    current: date  # in the current period: "10 Jan" → this January, "monday" → this week's
    future: date  # the next one: "10 Jan" → the coming 10 January, "monday" → the coming one
    period: str  # how much the words name: "day", "week", "month" or "year"


def read(text: str, today: date, *, day_first: bool) -> Reading | None:
    current = _parse(text, today, day_first, "current_period")
    if current is None:
        return None
    future = _parse(text, today, day_first, "future")
    return Reading(current[0], future[0] if future else current[0], current[1])


def _parse(text: str, today: date, day_first: bool, prefer: str) -> tuple[date, str] | None:
    found = _library_read(text, _settings(today, day_first, prefer))
    if found is None:
        return None
    when, period = found
    if period == "day" and any(ch.isdigit() for ch in text):
        strict = {**_settings(today, day_first, prefer), "REQUIRE_PARTS": ["day", "month"]}
        if _library_read(text, strict) is None:
            return None  # a day or month the library made up: not what was typed
    return when, period


def _settings(today: date, day_first: bool, prefer: str) -> dict[str, Any]:
    return {
        "RELATIVE_BASE": datetime.combine(today, datetime.min.time()),
        "DATE_ORDER": "DMY" if day_first else "MDY",
        "PREFER_DATES_FROM": prefer,
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }


def _library_read(text: str, settings: dict[str, Any]) -> tuple[date, str] | None:
    from dateparser.date import DateDataParser  # on first use only: see the module docstring

    with _lock:
        data = DateDataParser(languages=LANGUAGES, settings=settings).get_date_data(text)
    if data.date_obj is None or data.period not in PERIODS:
        return None
    return data.date_obj.date(), str(data.period)
