"""When a sequence's emails go out: local dates at one local time, as UTC instants.

Daily: one email every day from the start date for `total_months` calendar months.

Weekly: `weekly_days` are ISO weekdays (1 Monday … 7 Sunday) the emails may go on, and
`weekly_emails` how many go each week. With as many emails as days, every listed day
is used every week. With fewer, the days take turns, so each listed day gets its share
and each week still has exactly `weekly_emails`: for 2 emails on [1, 3, 5] (the
campaign builder design's example) week 1 sends Monday and Wednesday, week 2 Friday and
Monday, week 3 Wednesday and Friday, and so on. Weeks start on Monday; the first may be
partial. `weekly_days` left out means days spread over the week (`default_days`).

The local time is the same wall time every day, across DST changes: 09:00 in Berlin is
08:00 UTC in winter and 07:00 UTC in summer. A time the clocks skip (02:30 on a
spring-forward night) is sent the same length later (03:30), the one way to keep a
send on its day.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.localtime import NonexistentLocalTime, wall_to_utc
from domain.sequences import ScheduleType

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# weekly_emails -> the ISO weekdays used when the body names none: spread over the week.
_SPREAD: dict[int, tuple[int, ...]] = {
    1: (1,), 2: (1, 4), 3: (1, 3, 5), 4: (1, 2, 4, 5), 5: (1, 2, 3, 4, 5),
    6: (1, 2, 3, 4, 5, 6), 7: (1, 2, 3, 4, 5, 6, 7),
}  # fmt: skip


@dataclass(frozen=True)
class Cadence:
    """How often: daily, or `weekly_emails` a week on `weekly_days` (sorted, unique)."""

    schedule_type: ScheduleType
    total_months: int
    weekly_emails: int = 0
    weekly_days: tuple[int, ...] = ()

    @classmethod
    def weekly(cls, total_months: int, emails: int | None, days: Sequence[int]) -> Cadence:
        chosen = tuple(sorted(set(days))) or default_days(emails or 1)
        return cls(ScheduleType.WEEKLY, total_months, emails or len(chosen), chosen)

    @classmethod
    def daily(cls, total_months: int) -> Cadence:
        return cls(ScheduleType.DAILY, total_months)

    def summary(self) -> str:
        """'2 emails a week, taking turns on Mon, Wed, Fri' and the like."""
        if self.schedule_type is ScheduleType.DAILY:
            return "1 email a day"
        names = ", ".join(WEEKDAY_NAMES[day - 1] for day in self.weekly_days)
        count = f"{self.weekly_emails} email{'s' if self.weekly_emails != 1 else ''} a week"
        turns = "taking turns on" if self.weekly_emails < len(self.weekly_days) else "on"
        return f"{count}, {turns} {names}"


def default_days(emails: int) -> tuple[int, ...]:
    return _SPREAD[max(1, min(7, emails))]


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def send_days(cadence: Cadence, starts_on: date) -> list[date]:
    """Every local date an email goes on, from `starts_on` up to (not incl.) the end."""
    end = add_months(starts_on, cadence.total_months)
    days = _dates(starts_on, end)
    if cadence.schedule_type is ScheduleType.DAILY:
        return list(days)
    return [day for day in days if day.isoweekday() in _week_days(cadence, starts_on, day)]


def planned_sends(
    cadence: Cadence, starts_on: date, send_at: time, tz: ZoneInfo, *, after: datetime
) -> list[datetime]:
    """The UTC send instants, skipping any not after `after` (a start date of today)."""
    instants = (send_instant(day, send_at, tz) for day in send_days(cadence, starts_on))
    return [instant for instant in instants if instant > after]


def send_instant(day: date, send_at: time, tz: ZoneInfo) -> datetime:
    """`send_at` on `day` in `tz` as a UTC instant; a skipped time moves on by the gap."""
    wall = datetime.combine(day, send_at)
    try:
        return wall_to_utc(wall, tz)
    except NonexistentLocalTime:
        # fold=0 reads the wall time with the offset before the jump, which lands the
        # gap's length later on the new clock: 02:30 → 03:30 for a one-hour jump.
        return wall.replace(tzinfo=tz).astimezone(UTC)


def _dates(start: date, end: date) -> Iterator[date]:
    day = start
    while day < end:
        yield day
        day += timedelta(days=1)


def _week_days(cadence: Cadence, starts_on: date, day: date) -> frozenset[int]:
    """The weekdays used in `day`'s week: the next `weekly_emails` of the days, in turn."""
    week = (_monday(day) - _monday(starts_on)).days // 7
    count, days = cadence.weekly_emails, cadence.weekly_days
    first = week * count
    return frozenset(days[(first + offset) % len(days)] for offset in range(count))


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
