"""dateparser (~7 MiB with its language data) loads when a person first types a date,
never at start-up: the bot's memory target (bench/bench_memory.py) has no room for it.

Runs in a fresh interpreter, since this test process may have read a date already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

_SCRIPT = """
import importlib, json, pkgutil, sys
from datetime import date
from zoneinfo import ZoneInfo

import run_bot
imported = []
for package in ("domain", "core", "handlers", "bot"):
    for info in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
loaded = sorted(name for name in sys.modules if name.startswith("dateparser"))
out = {"imported": imported, "at_start": loaded}
from domain.timegrammar import read_range
read_range("next week", date(2026, 11, 21), ZoneInfo("Europe/Berlin"))
out["after_a_date"] = "dateparser" in sys.modules
print(json.dumps(out))
"""


def test_importing_the_bot_does_not_import_dateparser_and_reading_a_date_does() -> None:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PTB_TIMEDELTA": "true"}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=90, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.splitlines()[-1])
    assert {"handlers.campaign.date_step", "handlers.schedule.time_reply", "bot.app"} <= set(
        out["imported"]
    )
    assert out["at_start"] == []
    assert out["after_a_date"] is True
