"""dateparser (~7 MiB with its language data) loads when a person first types a date,
never at start-up: the bot's memory target (bench/bench_memory.py) has no room for it.

Runs in a fresh interpreter, since this test process may have read a date already.
"""

from __future__ import annotations

from tests.fresh_interpreter import IMPORT_EVERY_MODULE, run_fresh

_SCRIPT = (
    IMPORT_EVERY_MODULE
    + """
loaded = sorted(name for name in sys.modules if name.startswith("dateparser"))
out = {"imported": imported, "at_start": loaded}
from datetime import date
from zoneinfo import ZoneInfo
from domain.timegrammar import read_range
read_range("next week", date(2026, 11, 21), ZoneInfo("Europe/Berlin"))
out["after_a_date"] = "dateparser" in sys.modules
print(json.dumps(out))
"""
)


def test_importing_the_bot_does_not_import_dateparser_and_reading_a_date_does() -> None:
    out = run_fresh(_SCRIPT)
    assert {"handlers.campaign.date_step", "handlers.schedule.time_reply", "bot.app"} <= set(
        out["imported"]
    )
    assert out["at_start"] == []
    assert out["after_a_date"] is True
