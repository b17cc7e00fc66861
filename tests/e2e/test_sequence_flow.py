"""/sequence end to end: the whole bot over HTTP against the Bot API double, on SQLite and
PostgreSQL; a clock the test moves, so the planned times are known."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import EmailSequence, SequenceEmail, SequenceRecipient
from tests.campaigns.helpers import MutableClock
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.campaign_support import buttons, count_rows, message_buttons, send_document
from tests.e2e.harness import Harness
from tests.e2e.sequence_support import monday_clock, sequence_bot, tap

CSV = (
    "email,consent,consent_source\n"
    "Ann@Example.com,yes,checkout opt-in\n"
    "bob@example.com,no,\n"
    "cara@example.com,yes,\n"
)


@pytest.fixture
def clock() -> MutableClock:
    return monday_clock()


@pytest.fixture
async def seq(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path,
    database_url: str, clock: MutableClock,
) -> AsyncIterator[Harness]:  # fmt: skip
    async with sequence_bot(telegram_api, llm_server, tmp_path, database_url, clock) as harness:
        yield harness


async def _weekly_steps(harness: Harness) -> None:
    """Steps 1-5: name, about, weekly, 2 a week on Mon/Wed/Fri, 1 month."""
    harness.send("/sequence")
    await harness.said("step 1 of 6")
    harness.send("Product Launch Series")
    await harness.said("What is it about?")
    harness.send("Weekly emails about our new product features")
    schedule = await harness.said("How often")
    await tap(harness, schedule, "🗓 Weekly")
    await harness.said("Schedule: <b>🗓 Weekly</b> ✓")
    per_week = await harness.said("How many emails a week?")
    await tap(harness, per_week, "2")
    days = await harness.said("On which days?")
    days_id = harness.message_id_of(days)
    for day in ("Mon", "Wed", "Fri"):
        harness.tap(days_id, message_buttons(harness, days_id)[day])
        await harness.said("On which days?")  # redrawn with the tick
    assert {"✓ Mon", "✓ Wed", "✓ Fri", "Tue"} <= set(message_buttons(harness, days_id))
    harness.tap(days_id, message_buttons(harness, days_id)["✅ Done"])
    await harness.said("Days: <b>Mon, Wed, Fri</b> ✓")
    months = await harness.said("For how many months")
    await tap(harness, months, "1")
    await harness.said("Who gets it?")


async def test_a_weekly_sequence_from_a_csv_shows_its_times_and_is_created(seq: Harness) -> None:
    harness = seq
    await _weekly_steps(harness)
    send_document(harness, "list.csv", CSV.encode(), mime_type="text/csv")
    read = await harness.said("2 recipients with consent read")
    assert "Line 3: bob@example.com has no consent" in read.params["text"]
    summary = await harness.said("📋 Product Launch Series")
    text = summary.params["text"]
    # 2 a week taking turns on Mon, Wed, Fri from Tuesday 5 March 2030, 09:00 Berlin.
    assert "2 emails a week, taking turns on Mon, Wed, Fri" in text
    # The days take turns: Mon+Wed, then Fri+Mon, then Wed+Fri (week 1 starts on Tuesday).
    assert "<b>8 emails</b>, at these times (Europe/Berlin)" in text
    for line in ("1. Wed 06 Mar 2030, 09:00", "2. Mon 11 Mar 2030, 09:00",
                 "3. Fri 15 Mar 2030, 09:00", "8. Mon 01 Apr 2030, 09:00"):  # fmt: skip
        assert line in text
    assert "Europe/Berlin" in text and "<b>Recipients:</b> 2" in text
    assert await count_rows(harness, EmailSequence) == 0  # nothing stored before Create

    await tap(harness, summary, "✅ Create sequence")
    done = await harness.said("✅ Sequence #1 <b>Product Launch Series</b> created")
    assert "to 2 recipients" in done.params["text"]
    async with harness.bot.services.sessions() as session:
        people = (await session.execute(select(SequenceRecipient))).scalars().all()
        emails = (await session.execute(select(SequenceEmail))).scalars().all()
    assert sorted((p.email, p.consent_source) for p in people) == [
        ("ann@example.com", "checkout opt-in"),
        ("cara@example.com", "CSV list.csv line 4"),
    ]
    assert len(emails) == 8 and {e.status for e in emails} == {"planned"}
    assert message_buttons(harness, harness.message_id_of(summary)) == {}

    harness.send("/sequence")  # now the list, with a view per sequence
    listing = await harness.said("📧 Email sequences")
    await tap(harness, listing, "#1 Product Launch Series")
    view = await harness.said("Sequence #1: Product Launch Series")
    assert "Next emails" in view.params["text"] and "nothing sent yet" in view.params["text"]


async def test_pasted_addresses_need_the_admins_yes_and_create_once(seq: Harness) -> None:
    harness = seq
    harness.send("/sequence")
    await harness.said("step 1 of 6")
    harness.send("Daily tips")
    await harness.said("What is it about?")
    harness.send("A tip a day about candles")
    schedule = await harness.said("How often")
    await tap(harness, schedule, "📅 Daily")
    months = await harness.said("For how many months")
    harness.send("13")
    await harness.said("13 won't do: send a number from 1 to 12")
    await tap(harness, months, "1")
    await harness.said("Who gets it?")
    harness.send("a@example.com, not-an-address\nb@example.com")
    consent = await harness.said("I read 2 addresses")
    assert "not-an-address" in consent.params["text"]
    await tap(harness, consent, "✅ Yes, they all agreed")
    summary = await harness.said("📋 Daily tips")
    assert "1 email a day" in summary.params["text"]
    create = buttons(summary)["✅ Create sequence"]
    harness.tap(harness.message_id_of(summary), create)
    harness.tap(harness.message_id_of(summary), create, stale=True)  # a double tap
    await harness.said("created")
    await harness.api.wait_for(
        "answerCallbackQuery", lambda call: "already created" in str(call.params.get("text"))
    )
    assert await count_rows(harness, EmailSequence) == 1
    async with harness.bot.services.sessions() as session:
        sources = (await session.execute(select(SequenceRecipient.consent_source))).scalars()
        assert set(sources) == {f"confirmed by admin {harness.chat_id} in Telegram"}


async def test_a_file_before_the_recipients_step_is_not_taken(seq: Harness) -> None:
    harness = seq
    harness.send("/sequence")
    await harness.said("step 1 of 6")
    send_document(harness, "list.csv", CSV.encode())
    await harness.said("I'll take the recipients' CSV at step 6")
    assert await count_rows(harness, EmailSequence) == 0


async def test_change_recipients_then_pause_and_resume(seq: Harness) -> None:
    harness = seq
    await _weekly_steps(harness)
    harness.send("a@example.com")
    consent = await harness.said("I read 1 address.")
    await tap(harness, consent, "✅ Yes, they all agreed")
    summary = await harness.said("📋 Product Launch Series")
    await tap(harness, summary, "👥 Change recipients")
    await harness.said("Who gets it?")
    send_document(harness, "list.csv", CSV.encode())
    summary = await harness.said("📋 Product Launch Series")
    assert "<b>Recipients:</b> 2" in summary.params["text"]
    await tap(harness, summary, "✅ Create sequence")
    await harness.said("✅ Sequence #1")

    harness.send("/sequence")
    listing = await harness.said("📧 Email sequences")
    await tap(harness, listing, "#1 Product Launch Series")
    view = await harness.said("Sequence #1: Product Launch Series</b> · active")
    view_id = harness.message_id_of(view)
    harness.tap(view_id, message_buttons(harness, view_id)["⏸ Pause"])
    await harness.said("Sequence #1: Product Launch Series</b> · paused")
    assert "▶️ Resume" in message_buttons(harness, view_id)
    harness.tap(view_id, message_buttons(harness, view_id)["▶️ Resume"])
    await harness.said("Sequence #1: Product Launch Series</b> · active")
    async with harness.bot.services.sessions() as session:
        addresses = (await session.execute(select(SequenceRecipient.email))).scalars().all()
    assert sorted(addresses) == ["ann@example.com", "cara@example.com"]
