"""Wall-clock times in a zone, to UTC, refusing the ones the clocks skip.

Every place that reads a local time (a person typing "28.03 02:30", an API client
sending a naive `scheduled_at`) goes through `wall_to_utc`, so a time that does not
exist is refused with the same reason everywhere. A time that happens twice (the autumn
fold) means the first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


class NonexistentLocalTime(ValueError):
    """The wall time falls in a spring-forward gap; `str(exc)` is the user-facing reason."""


def wall_to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall time in `tz` (or one already carrying `tz`) → the UTC instant."""
    naive = local.replace(tzinfo=None, fold=0)
    utc = naive.replace(tzinfo=tz).astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) != naive:
        raise NonexistentLocalTime(
            f"{naive:%H:%M} does not exist on {naive:%a %d %b} in {tz.key}: "
            "the clocks jump forward then"
        )
    return utc
