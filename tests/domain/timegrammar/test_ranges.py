"""A campaign's dates as people write them (domain.timegrammar.read_range), with a fixed
"today" in a day-first zone (Europe/Berlin) and a month-first one (America/New_York)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from domain.timegrammar import DateInputError, DateRange, common_ranges, read_range
from domain.timegrammar.order import day_first

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SATURDAY = date(2026, 11, 21)
YEAR_END = date(2026, 12, 28)  # a Monday, days before New Year
BEFORE_SPRING = date(2027, 3, 26)  # Berlin's clocks jump on Sun 28 Mar 2027


@pytest.mark.parametrize(
    ("text", "today", "tz", "start", "end"),
    [
        ("next week", SATURDAY, BERLIN, date(2026, 11, 23), date(2026, 11, 29)),
        ("from tomorrow for two weeks", SATURDAY, BERLIN, date(2026, 11, 22), date(2026, 12, 5)),
        ("all of January", SATURDAY, BERLIN, date(2027, 1, 1), date(2027, 1, 31)),
        ("Dec 1-14", SATURDAY, BERLIN, date(2026, 12, 1), date(2026, 12, 14)),
        ("starting Monday for 10 days", SATURDAY, BERLIN, date(2026, 11, 23), date(2026, 12, 2)),
        ("1/12 - 14/12", SATURDAY, BERLIN, date(2026, 12, 1), date(2026, 12, 14)),
        ("1.12 – 14.12", SATURDAY, BERLIN, date(2026, 12, 1), date(2026, 12, 14)),
        ("this week", SATURDAY, BERLIN, SATURDAY, date(2026, 11, 22)),
        ("this month", SATURDAY, BERLIN, SATURDAY, date(2026, 11, 30)),
        ("the rest of the month", SATURDAY, BERLIN, SATURDAY, date(2026, 11, 30)),
        ("all of November", SATURDAY, BERLIN, SATURDAY, date(2026, 11, 30)),
        ("next month", SATURDAY, BERLIN, date(2026, 12, 1), date(2026, 12, 31)),
        ("January 2027", SATURDAY, BERLIN, date(2027, 1, 1), date(2027, 1, 31)),
        ("the next 2 weeks", SATURDAY, BERLIN, SATURDAY, date(2026, 12, 4)),
        ("for a fortnight", SATURDAY, BERLIN, SATURDAY, date(2026, 12, 4)),
        ("for 10 days from 1 Dec", SATURDAY, BERLIN, date(2026, 12, 1), date(2026, 12, 10)),
        ("two weeks starting monday", SATURDAY, BERLIN, date(2026, 11, 23), date(2026, 12, 6)),
        ("from 15 Jan for a month", SATURDAY, BERLIN, date(2027, 1, 15), date(2027, 2, 14)),
        ("between 1 dec and 14 dec", SATURDAY, BERLIN, date(2026, 12, 1), date(2026, 12, 14)),
        ("1 Dec - 14", SATURDAY, BERLIN, date(2026, 12, 1), date(2026, 12, 14)),
        ("December to February", SATURDAY, BERLIN, date(2026, 12, 1), date(2027, 2, 28)),
        ("tomorrow", SATURDAY, BERLIN, date(2026, 11, 22), date(2026, 11, 22)),
        ("2026-12-01-2026-12-14", SATURDAY, BERLIN, date(2026, 12, 1), date(2026, 12, 14)),
        # Month first in New York; where only one order makes a date, that one, anywhere.
        ("12/1 - 12/14", SATURDAY, NEW_YORK, date(2026, 12, 1), date(2026, 12, 14)),
        ("1/12 - 1/20", SATURDAY, NEW_YORK, date(2027, 1, 12), date(2027, 1, 20)),
        ("24/11 - 30/11", SATURDAY, NEW_YORK, date(2026, 11, 24), date(2026, 11, 30)),
        ("12/24 - 12/31", SATURDAY, BERLIN, date(2026, 12, 24), date(2026, 12, 31)),
        ("next week", SATURDAY, NEW_YORK, date(2026, 11, 23), date(2026, 11, 29)),
        # Over New Year: a year left out is the coming one.
        ("next week", YEAR_END, BERLIN, date(2027, 1, 4), date(2027, 1, 10)),
        ("from tomorrow for two weeks", YEAR_END, BERLIN, date(2026, 12, 29), date(2027, 1, 11)),
        ("all of January", YEAR_END, BERLIN, date(2027, 1, 1), date(2027, 1, 31)),
        ("Dec 30 - Jan 3", YEAR_END, BERLIN, date(2026, 12, 30), date(2027, 1, 3)),
        ("30/12 - 3/1", YEAR_END, BERLIN, date(2026, 12, 30), date(2027, 1, 3)),
        ("12/30 - 1/3", YEAR_END, NEW_YORK, date(2026, 12, 30), date(2027, 1, 3)),
        ("this month", YEAR_END, BERLIN, YEAR_END, date(2026, 12, 31)),
        ("next month", YEAR_END, BERLIN, date(2027, 1, 1), date(2027, 1, 31)),
        # Across the spring clock change: whole days, 14 of them.
        ("from tomorrow for two weeks", BEFORE_SPRING, BERLIN, date(2027, 3, 27), date(2027, 4, 9)),
        ("28/3 - 29/3", BEFORE_SPRING, BERLIN, date(2027, 3, 28), date(2027, 3, 29)),
    ],
)
def test_phrases_people_type(text: str, today: date, tz: ZoneInfo, start: date, end: date) -> None:
    found = read_range(text, today, tz)
    assert (found.start, found.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "tz", "message"),
    [
        ("sometime soon", BERLIN, "I couldn't read “sometime soon” as dates. Send them like "
         "“1 Dec – 14 Dec”, “next week”, “from tomorrow for two weeks” or “all of January” "
         "(dates are in Europe/Berlin)."),
        ("2027", BERLIN, "I couldn't read “2027” as dates."),
        ("next   Smarch", NEW_YORK, "I couldn't read “next Smarch” as dates."),
        ("13/13 - 14/14", BERLIN, "I couldn't read “13/13 - 14/14” as dates."),
        ("from tomorrow for 0 days", BERLIN, "The end, 21 Nov 2026, is before the start"),
        ("31 Feb – 3 Mar 2027", BERLIN, "31 Feb is not a real date."),
        ("from Feb 30th for a week", BERLIN, "Feb 30th is not a real date."),
        ("1 Dec - 32", BERLIN, "December has no day 32."),
        ("last week", BERLIN, "The campaign can't start in the past: 9 Nov 2026 is before today"),
        ("all of January 2026", BERLIN, "can't start in the past: 1 Jan 2026"),
        ("1/12 - 14/12", NEW_YORK, "The end, 14 Dec 2026, is before the start, 12 Jan 2027. "
         "Numbers like 1/12 are read month first, as usual in America/New_York."),
        ("from tomorrow for 13 months", BERLIN, "must end within 365 days, by 21 Nov 2027"),
    ],
)  # fmt: skip
def test_unreadable_or_unusable_dates_say_why(text: str, tz: ZoneInfo, message: str) -> None:
    with pytest.raises(DateInputError) as caught:
        read_range(text, SATURDAY, tz)
    assert message in str(caught.value)


def test_numbers_are_read_as_the_zone_writes_them_and_the_echo_says_so() -> None:
    berlin, new_york = (
        read_range("1/12 - 3/12", SATURDAY, BERLIN),
        read_range("1/12 - 3/12", SATURDAY, NEW_YORK),
    )
    assert (berlin.start, berlin.end) == (date(2026, 12, 1), date(2026, 12, 3))
    assert (new_york.start, new_york.end) == (date(2027, 1, 12), date(2027, 3, 12))
    assert berlin.order_note == "Numbers like 1/12 are read day first, as usual in Europe/Berlin."
    assert new_york.order_note is not None and "month first" in new_york.order_note
    assert read_range("Dec 1-14", SATURDAY, BERLIN).order_note is None


@pytest.mark.parametrize(
    ("zone", "first"),
    [
        ("Europe/Berlin", True), ("Europe/London", True), ("UTC", True),
        ("America/Toronto", True), ("America/New_York", False), ("America/Los_Angeles", False),
        ("Pacific/Honolulu", False), ("US/Eastern", False), ("America/Indianapolis", False),
        ("Asia/Manila", False),
    ],
)  # fmt: skip
def test_day_or_month_first_follows_the_zones_country(zone: str, first: bool) -> None:
    assert day_first(ZoneInfo(zone)) is first


def test_common_ranges_are_read_by_the_same_grammar() -> None:
    offered = {name: (found.start, found.end, found.label()) for name, found in
               common_ranges(SATURDAY, BERLIN)}  # fmt: skip
    assert offered == {
        "This week": (SATURDAY, date(2026, 11, 22), "21–22 Nov"),
        "Next week": (date(2026, 11, 23), date(2026, 11, 29), "23–29 Nov"),
        "Next 2 weeks": (SATURDAY, date(2026, 12, 4), "21 Nov – 4 Dec"),
        "This month": (SATURDAY, date(2026, 11, 30), "21–30 Nov"),
    }
    sunday = {name: found.label() for name, found in common_ranges(date(2026, 11, 29), BERLIN)}
    assert sunday["This week"] == "29 Nov"


@pytest.mark.parametrize(
    ("start", "end", "shown", "days"),
    [
        (date(2026, 12, 1), date(2026, 12, 14), "1 Dec – 14 Dec 2026", 14),
        (date(2026, 12, 20), date(2027, 1, 5), "20 Dec 2026 – 5 Jan 2027", 17),
        (date(2026, 12, 1), date(2026, 12, 1), "1 Dec 2026", 1),
    ],
)
def test_a_range_is_shown_as_people_read_it(start: date, end: date, shown: str, days: int) -> None:
    found = DateRange(start, end)
    assert (found.show(), found.days) == (shown, days)
