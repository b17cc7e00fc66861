"""The planned send times: daily, weekly with days taking turns, and one local time across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from core.sequences.schedule import Cadence, add_months, planned_sends, send_days, send_instant

BERLIN = ZoneInfo("Europe/Berlin")
NINE = time(9, 0)
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def test_the_designs_example_sends_two_a_week_and_the_three_days_take_turns() -> None:
    cadence = Cadence.weekly(3, 2, [1, 3, 5])
    days = send_days(cadence, date(2027, 1, 4))  # a Monday
    weekdays = [[d.strftime("%a") for d in days if d.isocalendar().week == w] for w in (1, 2, 3, 4)]
    assert weekdays == [["Mon", "Wed"], ["Mon", "Fri"], ["Wed", "Fri"], ["Mon", "Wed"]]
    assert len(days) == 2 * 13  # 4 Jan to 4 Apr: 13 weeks
    assert cadence.summary() == "2 emails a week, taking turns on Mon, Wed, Fri"


def test_as_many_emails_as_days_uses_every_day_every_week() -> None:
    days = send_days(Cadence.weekly(1, 3, [5, 1, 3]), date(2027, 1, 4))
    assert {d.isoweekday() for d in days} == {1, 3, 5}
    assert len(days) == 3 * 4 + 2  # 4 Jan up to 4 Feb: 4 weeks, then Mon 1 and Wed 3 Feb


def test_a_weekly_schedule_keeps_its_local_time_across_the_spring_change() -> None:
    # Europe/Berlin goes from UTC+1 to UTC+2 on Sunday 28 March 2027.
    sends = planned_sends(Cadence.weekly(1, 2, [1, 4]), date(2027, 3, 15), NINE, BERLIN,
                          after=LONG_AGO)  # fmt: skip
    local = [s.astimezone(BERLIN) for s in sends]
    assert {(t.hour, t.minute) for t in local} == {(9, 0)}
    assert [s.strftime("%d %H:%M") for s in sends[:6]] == [
        "15 08:00", "18 08:00", "22 08:00", "25 08:00",  # winter: 09:00 is 08:00 UTC
        "29 07:00", "01 07:00",  # summer: 09:00 is 07:00 UTC
    ]  # fmt: skip


def test_and_across_the_autumn_change() -> None:
    sends = planned_sends(Cadence.daily(1), date(2027, 10, 30), NINE, BERLIN, after=LONG_AGO)
    assert [s.strftime("%d %H:%M") for s in sends[:3]] == ["30 07:00", "31 08:00", "01 08:00"]


def test_a_send_time_the_clocks_skip_goes_out_the_gap_later_on_the_same_day() -> None:
    instant = send_instant(date(2027, 3, 28), time(2, 30), BERLIN)
    assert instant.astimezone(BERLIN).strftime("%d %H:%M") == "28 03:30"
    # An hour the clocks repeat means the first one.
    assert send_instant(date(2027, 10, 31), time(2, 30), BERLIN) == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )


def test_daily_runs_for_calendar_months_and_skips_times_already_past() -> None:
    start = date(2027, 1, 31)
    assert len(send_days(Cadence.daily(1), start)) == 28  # 31 Jan up to 28 Feb
    after = send_instant(date(2027, 2, 1), NINE, BERLIN)
    sends = planned_sends(Cadence.daily(1), start, NINE, BERLIN, after=after)
    assert sends[0] == send_instant(date(2027, 2, 2), NINE, BERLIN)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2027, 1, 31), 1, date(2027, 2, 28)), (date(2027, 11, 15), 3, date(2028, 2, 15)),
     (date(2028, 1, 31), 1, date(2028, 2, 29))],
)  # fmt: skip
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_weekly_without_days_spreads_them() -> None:
    assert Cadence.weekly(1, 3, []).weekly_days == (1, 3, 5)
    assert Cadence.weekly(1, None, [2, 4]).weekly_emails == 2
