"""Recorded third-party material the test doubles are built and checked against.

Kept in the repository so a fresh clone tests without anything beside it; see README.md
here for where each file comes from. `test_recorded_data.py` checks the copies still
match the team's shared folder (`../shared/`) when one sits next to the repository.
"""

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
TELEGRAM_SPEC = DATA_DIR / "telegram" / "bot-api-10.1.json"
COMFYUI_RECORDINGS = DATA_DIR / "comfyui"
