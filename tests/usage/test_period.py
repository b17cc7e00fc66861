"""/report's periods as people type them, read on Monday 7 December 2026 in Berlin."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from core.report.period import MAX_DAYS, read_period
from domain.timegrammar import DateInputError

TODAY = date(2026, 12, 7)  # a Monday
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize(
    ("typed", "start", "end"),
    [
        ("last week", date(2026, 11, 30), date(2026, 12, 6)),
        ("this week", TODAY, TODAY),  # a period under way ends today
        ("this month", date(2026, 12, 1), TODAY),
        ("last month", date(2026, 11, 1), date(2026, 11, 30)),
        ("Last 7 days", date(2026, 12, 1), TODAY),
        ("the past 2 weeks", date(2026, 11, 24), TODAY),
        ("30 days", date(2026, 11, 8), TODAY),
        ("last three months", date(2026, 9, 8), TODAY),
        ("this year", date(2026, 1, 1), TODAY),
        ("yesterday", date(2026, 12, 6), date(2026, 12, 6)),
        ("today", TODAY, TODAY),
        ("November", date(2026, 11, 1), date(2026, 11, 30)),
        ("all of November", date(2026, 11, 1), date(2026, 11, 30)),
        ("January", date(2026, 1, 1), date(2026, 1, 31)),  # this year's: next is ahead
        ("Nov 2025", date(2025, 11, 1), date(2025, 11, 30)),
        ("1 Nov – 30 Nov", date(2026, 11, 1), date(2026, 11, 30)),
        ("from 1 Nov to 3 Dec", date(2026, 11, 1), date(2026, 12, 3)),
        ("Nov 1 - Nov 14", date(2026, 11, 1), date(2026, 11, 14)),
        ("1-14 Nov", date(2026, 11, 1), date(2026, 11, 14)),
        ("3/11 to 9/11", date(2026, 11, 3), date(2026, 11, 9)),  # day first in Berlin
        ("1.11.-15.11.", date(2026, 11, 1), date(2026, 11, 15)),
        ("20 Dec - 5 Jan", date(2025, 12, 20), date(2026, 1, 5)),  # across New Year
        ("5 Dec", date(2026, 12, 5), date(2026, 12, 5)),
        ("1 Nov - 31 Dec", date(2026, 11, 1), TODAY),  # cut at today
    ],
)
def test_a_period_reads_as_people_mean_it(typed: str, start: date, end: date) -> None:
    period = read_period(typed, TODAY, BERLIN)
    assert (period.start, period.end) == (start, end)


def test_numbers_follow_the_time_zone_order() -> None:
    period = read_period("11/3 - 11/9", TODAY, NEW_YORK)
    assert (period.start, period.end) == (date(2026, 11, 3), date(2026, 11, 9))


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("next week", "couldn't read “next week” as a period"),
        ("10 Dec", "10 Dec 2026 hasn't happened yet"),
        ("31 Feb", "31 Feb is not a real date"),
        ("soon-ish please", "Send it like “last week”"),
        ("1 Jan 2024 - 1 Dec 2026", f"at most {MAX_DAYS} days"),
        ("30 Nov 2026 - 1 Nov 2026", "is before the start"),
    ],
)
def test_a_period_that_cannot_be_a_report_says_why(typed: str, says: str) -> None:
    with pytest.raises(DateInputError) as refused:
        read_period(typed, TODAY, BERLIN)
    assert says in str(refused.value)
    assert "Europe/Berlin" in str(refused.value) or "couldn't" not in says
