"""One post's time as people type it (domain.timegrammar.read_moment): /schedule's
Reschedule and the campaign preview's 🕒 Time read it with the same grammar as the dates."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import ValidationFailed
from domain.timegrammar import DateInputError, read_moment

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 10, 24, 12, 0, tzinfo=UTC)  # Saturday, 14:00 in Berlin, 08:00 in New York


@pytest.mark.parametrize(
    ("typed", "tz", "expected"),
    [
        # Words the old /schedule reader refused: month names, "next", "at".
        ("next friday at 7pm", BERLIN, datetime(2026, 10, 30, 18, 0, tzinfo=UTC)),
        ("3 Dec 18:00", BERLIN, datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
        ("Dec 3 at 6pm", BERLIN, datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
        ("tomorrow at 9:30", BERLIN, datetime(2026, 10, 25, 8, 30, tzinfo=UTC)),
        ("1.12 18h30", BERLIN, datetime(2026, 12, 1, 17, 30, tzinfo=UTC)),
        ("the 1st of December, 18:30", BERLIN, datetime(2026, 12, 1, 17, 30, tzinfo=UTC)),
        ("Saturday 09:00", BERLIN, datetime(2026, 10, 31, 8, 0, tzinfo=UTC)),  # passed: next
        ("Saturday 15:00", BERLIN, datetime(2026, 10, 24, 13, 0, tzinfo=UTC)),  # still ahead
        ("10 Jan 10:00", BERLIN, datetime(2027, 1, 10, 9, 0, tzinfo=UTC)),  # no year: coming
        # Day first in Berlin, month first in New York.
        ("3/12 18:00", BERLIN, datetime(2026, 12, 3, 17, 0, tzinfo=UTC)),
        ("12/3 6pm", NEW_YORK, datetime(2026, 12, 3, 23, 0, tzinfo=UTC)),
        ("24.11 18:00", NEW_YORK, datetime(2026, 11, 24, 23, 0, tzinfo=UTC)),
        # The autumn hour that happens twice means the first, in both zones.
        ("25.10 02:30", BERLIN, datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("11/1 1:30am", NEW_YORK, datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    ],
)
def test_times_in_words_are_read_in_the_zone(typed: str, tz: ZoneInfo, expected: datetime) -> None:
    assert read_moment(typed, now=NOW, tz=tz) == expected


@pytest.mark.parametrize(
    ("typed", "tz", "message"),
    [
        ("3/14/2027 2:30am", NEW_YORK,
         "02:30 does not exist on Sun 14 Mar in America/New_York: the clocks jump forward then"),
        ("28 March 2027 02:30", BERLIN, "02:30 does not exist on Sun 28 Mar in Europe/Berlin"),
        ("next week", BERLIN, "I couldn't read “next week” as a time. Try 18:30, tomorrow 9:30"),
        ("January 10:00", BERLIN, "I couldn't read “January 10:00” as a time."),
        ("20 Oct 10:00", BERLIN, "Tue 20 Oct 10:00 has already passed. Send a time ahead."),
        ("31 Feb 10:00", BERLIN, "31 Feb is not a real date."),
    ],
)  # fmt: skip
def test_times_that_cannot_be_used_say_why(typed: str, tz: ZoneInfo, message: str) -> None:
    with pytest.raises(DateInputError) as caught:
        read_moment(typed, now=NOW, tz=tz)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValidationFailed)  # /schedule's handler catches these
