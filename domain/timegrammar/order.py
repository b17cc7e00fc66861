"""Which comes first in "1/12": the day or the month. TIMEZONE decides.

The rule: month first where TIMEZONE is a zone of a country that writes dates month
first (the United States and its territories, the Philippines, Micronesia, the Marshall
Islands, Palau), day first everywhere else (Europe/*, UTC, ...). The zone's country comes
from the tz database's own `zone.tab` (the pinned `tzdata` package), with old names such
as `US/Eastern` followed to the zone they stand for. ISO dates (2026-12-01) are always
year-month-day, and when only one order makes a date ("24/11", "12/24") that one is
read, in any zone. The bot echoes the dates it read, so a wrong guess is seen.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

MONTH_FIRST_COUNTRIES = frozenset(
    {"US", "PR", "GU", "VI", "AS", "MP", "UM", "PH", "FM", "MH", "PW"}
)


def day_first(tz: ZoneInfo) -> bool:
    key = _links().get(tz.key, tz.key)
    return _countries().get(key) not in MONTH_FIRST_COUNTRIES


def _tz_file(name: str) -> str:
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")


@cache
def _countries() -> dict[str, str]:
    """zone name → ISO country code, from zone.tab ("US  +404251-0740023  America/New_York")."""
    rows = (line.split("\t") for line in _tz_file("zone.tab").splitlines())
    return {row[2]: row[0] for row in rows if len(row) >= 3 and not row[0].startswith("#")}


@cache
def _links() -> dict[str, str]:
    """old or alias name → zone, from tzdata.zi's "L America/New_York US/Eastern" lines."""
    rows = (line.split() for line in _tz_file("tzdata.zi").splitlines() if line.startswith("L "))
    return {row[2]: row[1] for row in rows if len(row) == 3}
