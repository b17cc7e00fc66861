"""Dates as people type them in the /campaign conversation, read in TIMEZONE.

These were handlers/campaign_dates.py's cases; domain.timegrammar now reads them (one
grammar for /campaign and /schedule). tests/domain/timegrammar/test_ranges.py has the new phrases.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.timegrammar import DateInputError, read_moment, read_range

TODAY = date(2026, 11, 21)
TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 21, 11, 0, tzinfo=UTC)  # noon in Berlin on TODAY


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("1 Dec – 14 Dec", date(2026, 12, 1), date(2026, 12, 14)),
        ("1 Dec - 14 Dec", date(2026, 12, 1), date(2026, 12, 14)),
        ("1 dec-14 dec", date(2026, 12, 1), date(2026, 12, 14)),
        ("2026-12-01 to 2026-12-14", date(2026, 12, 1), date(2026, 12, 14)),
        ("from 1st December to 14th December 2026", date(2026, 12, 1), date(2026, 12, 14)),
        ("Dec 1 to Dec 14", date(2026, 12, 1), date(2026, 12, 14)),
        ("1-14 Dec", date(2026, 12, 1), date(2026, 12, 14)),
        ("Dec 1-14, 2026", date(2026, 12, 1), date(2026, 12, 14)),
        ("01.12.2026 - 14.12.2026", date(2026, 12, 1), date(2026, 12, 14)),
        ("01.12.2026-14.12.2026", date(2026, 12, 1), date(2026, 12, 14)),
        ("20 Dec – 5 Jan", date(2026, 12, 20), date(2027, 1, 5)),
        ("10 Jan to 20 Jan", date(2027, 1, 10), date(2027, 1, 20)),
        ("21 Nov – 21 Nov", TODAY, TODAY),
    ],
)
def test_ranges_people_type(text: str, start: date, end: date) -> None:
    found = read_range(text, TODAY, TZ)
    assert (found.start, found.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-11-01 to 2026-11-10", "can't start in the past: 1 Nov 2026 is before today"),
        ("10 Nov – 14 Dec", "can't start in the past"),
        ("2026-12-14 to 2026-12-01", "is before the start"),
        ("2026-12-01 to 2028-01-01", "must end within 365 days"),
        ("31 Feb – 3 Mar 2027", "is not a real date"),
        ("sometime soon", "like “1 Dec – 14 Dec”, “next week”, “from tomorrow for two weeks”"),
        ("1 Smarch – 3 Smarch", "like “1 Dec – 14 Dec”"),
    ],
)
def test_bad_ranges_say_why(text: str, reason: str) -> None:
    with pytest.raises(DateInputError, match=reason):
        read_range(text, TODAY, TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 Dec 18:00", datetime(2026, 12, 3, 18, 0, tzinfo=TZ)),
        ("2026-12-03 18:30", datetime(2026, 12, 3, 18, 30, tzinfo=TZ)),
        ("2026-12-03T09:05", datetime(2026, 12, 3, 9, 5, tzinfo=TZ)),
        ("Dec 3 at 6pm", datetime(2026, 12, 3, 18, 0, tzinfo=TZ)),
        ("03.12.2026 12am", datetime(2026, 12, 3, 0, 0, tzinfo=TZ)),
    ],
)
def test_one_post_time(text: str, expected: datetime) -> None:
    assert read_moment(text, now=NOW, tz=TZ) == expected


@pytest.mark.parametrize("text", ["tomorrow", "3 Dec", "3 Dec 25:00", "3 Dec 13pm"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(DateInputError):
        read_moment(text, now=NOW, tz=TZ)
