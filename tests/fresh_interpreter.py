"""Run a script in a new Python process and read what it printed last, as JSON: for tests
of what gets imported when, which the test process (that has imported everything long
ago) can't answer about itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# Imports the bot as run_bot.py does, then every module of every layer; leaves their
# names in `imported`. A script starting with it then checks sys.modules.
IMPORT_EVERY_MODULE = """
import importlib, json, pkgutil, sys

import run_bot
imported = []
for package in ("domain", "core", "handlers", "bot"):
    for info in pkgutil.walk_packages(importlib.import_module(package).__path__, package + "."):
        importlib.import_module(info.name)
        imported.append(info.name)
"""


def run_fresh(script: str, *, timeout: float = 90) -> dict[str, Any]:
    """The JSON object on the script's last line of output; the script must succeed."""
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PTB_TIMEDELTA": "true"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return out
