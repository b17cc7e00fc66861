"""Helpers for the /sequence end-to-end tests: a bot on a clock the test moves."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.campaigns.helpers import MutableClock
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import Harness, make_settings, running

# A Monday, 11:00 in Berlin (the harness's TIMEZONE): a new sequence starts tomorrow.
MONDAY = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


# A daily sequence for a month to one recipient, as POST /api/sequences takes it: from
# MONDAY its first emails are due Tuesday, Wednesday, Thursday...
DAILY_TIPS: dict[str, Any] = {
    "name": "Daily tips",
    "description": "A candle tip a day",
    "schedule_type": "daily",
    "total_months": 1,
    "recipient_emails": ["ann@example.com"],
}


def monday_clock() -> MutableClock:
    return MutableClock(MONDAY)


@contextlib.asynccontextmanager
async def sequence_bot(
    api: TelegramApiDouble, llm: FakeLLMServer, data_dir: Path, database_url: str,
    clock: MutableClock,
) -> AsyncIterator[Harness]:  # fmt: skip
    settings = make_settings(api, llm, data_dir, database_url=database_url)
    async with running(api, llm, settings, clock=clock) as harness:
        yield harness


def email_answer(number: int) -> dict[str, Any]:
    """What the model answers for sequence_email (core.sequences.writer.EmailDraft)."""
    return {
        "subject": f"Launch news {number}",
        "body_text": f"Hello! Here is part {number} of our launch story, with what is new.",
        "key_points": [f"point {number}"],
    }


async def tap(harness: Harness, call: RecordedCall, label: str) -> None:
    harness.tap(harness.message_id_of(call), buttons(call)[label])
