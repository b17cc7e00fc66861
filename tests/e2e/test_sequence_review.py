"""Sequence emails in /approve and held alerts, end to end: the real writer against the
model double, cards and buttons over the Bot API double, on a clock the test moves."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.models import SequenceEmail
from tests.campaigns.helpers import MutableClock
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.smtp_server import running_smtp
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.campaign_support import buttons, message_buttons
from tests.e2e.harness import Harness
from tests.e2e.sequence_support import DAILY_TIPS, email_answer, monday_clock, sequence_bot
from tests.mailing.helpers import mail_dispatcher, sweep


@pytest.fixture
def clock() -> MutableClock:
    return monday_clock()


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path,
    clock: MutableClock,
) -> AsyncIterator[Harness]:  # fmt: skip
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    async with sequence_bot(telegram_api, llm_server, tmp_path, url, clock) as bot:
        yield bot


async def _written(harness: Harness, count: int) -> None:
    """The writer's sweep, as the scheduler runs it, with `count` model answers queued."""
    start = len(harness.llm.requests)
    for number in range(start + 1, start + count + 1):
        harness.llm.reply(email_answer(number))
    assert await harness.bot.services.sequence_writer.write_due() == count


async def _cards(harness: Harness, count: int) -> list[RecordedCall]:
    harness.send("/approve")
    await harness.said(f"{count} sequence emails waiting for approval")
    return [await harness.said("📧 Daily tips · email #") for _ in range(count)]


async def _statuses(harness: Harness) -> dict[int, str]:
    async with harness.bot.services.sessions() as session:
        rows = (await session.execute(select(SequenceEmail))).scalars().all()
    return {row.number: row.status for row in rows if row.number <= 4}


async def test_approve_edit_and_the_rest_of_the_week_only_what_was_seen(harness: Harness) -> None:
    await harness.bot.services.sequences.create(DAILY_TIPS, actor="api")
    await _written(harness, 3)  # due Tue, Wed, Thu 09:00 Berlin: within the 3 days ahead
    first, second, _ = await _cards(harness, 3)
    assert "<b>Subject:</b> Launch news 1" in first.params["text"]
    assert "Due:</b> Tue 05 Mar 2030, 09:00 (Europe/Berlin)" in first.params["text"]
    assert "informational" in first.params["text"]
    week = await harness.said("Approve what you have read")

    harness.tap(harness.message_id_of(first), buttons(first)["✅ Approve"])
    await harness.said("Approved — it goes out at its time")

    second_id = harness.message_id_of(second)
    old_approve = buttons(second)["✅ Approve"]
    harness.tap(second_id, buttons(second)["✏️ Edit"])
    await harness.said("Send the new text of this email")
    harness.send("Subject: Wax that lasts\nTrim the wick to 5 mm before each burn, always.")
    await harness.said("<b>Subject:</b> Wax that lasts")  # the card, redrawn
    await harness.said("Email #2 updated")
    harness.tap(second_id, old_approve, stale=True)  # the card before the edit
    refused = await harness.api.wait_for(
        "answerCallbackQuery", lambda call: bool(call.params.get("show_alert"))
    )
    assert "changed" in refused.params["text"]

    # Email #4 (Friday) is written a day later and not shown: the week's tap leaves it.
    await _advance_and_write(harness, 1)
    harness.tap(
        harness.message_id_of(week), buttons(week)["✅ Approve the rest of this week · Daily tips"]
    )
    await harness.said("✅ Approved 2 emails of Daily tips due this week: #2, #3.")
    assert await _statuses(harness) == {1: "approved", 2: "approved", 3: "approved", 4: "pending"}


async def _advance_and_write(harness: Harness, days: int) -> None:
    clock = harness.bot.services.clock
    assert isinstance(clock, MutableClock)
    clock.advance(days=days)
    await _written(harness, 1)


async def test_a_held_email_is_told_once_and_approving_it_sends_it_now(harness: Harness) -> None:
    await harness.bot.services.sequences.create(DAILY_TIPS, actor="api")
    await _written(harness, 3)
    clock = harness.bot.services.clock
    assert isinstance(clock, MutableClock)
    clock.advance(days=1)  # Tuesday 11:00 Berlin: email #1 was due at 09:00, unapproved
    assert await harness.bot.services.held_sweep.sweep() >= 1
    alert = await harness.said("⏸ <b>Held, not sent:</b> Daily tips · email #1")
    assert "Launch news 1" in alert.params["text"]
    second_alert = await harness.said("⏸ <b>Held, not sent:</b> Daily tips · email #1")
    assert {alert.params["chat_id"], second_alert.params["chat_id"]} == {1001, 1002}
    await harness.bot.services.held_sweep.sweep()  # told once: no third alert
    assert await _statuses(harness) == {1: "held", 2: "pending", 3: "pending", 4: "planned"}

    harness.tap(harness.message_id_of(alert), buttons(alert)["✅ Approve & send now"])
    await harness.said("Approved — it was held, so it goes out now")
    async with harness.bot.services.sessions() as session:
        first = (
            await session.execute(select(SequenceEmail).where(SequenceEmail.number == 1))
        ).scalar_one()
    assert first.status == "approved" and first.due_at == clock.now()
    # The other admin's alert is out of date now: skipping there changes nothing.
    harness.tap(
        harness.message_id_of(second_alert),
        buttons(second_alert)["⏭ Skip this email"],
        user_id=1002,
    )
    refused = await harness.api.wait_for(
        "answerCallbackQuery", lambda call: bool(call.params.get("show_alert"))
    )
    assert "approved" in refused.params["text"]
    assert (await _statuses(harness))[1] == "approved"
    texts = [c.params["text"] for c in harness.api.calls_to("sendMessage")]
    assert sum("Held, not sent" in t for t in texts) == 2


async def test_regenerate_rewrites_the_card_and_reject_keeps_it_from_sending(
    harness: Harness,
) -> None:
    await harness.bot.services.sequences.create(DAILY_TIPS, actor="api")
    await _written(harness, 3)
    first, second, _ = await _cards(harness, 3)
    await harness.said("Approve what you have read")
    harness.llm.reply(email_answer(9))
    harness.tap(harness.message_id_of(first), buttons(first)["🔄 Regenerate"])
    await harness.said("Writing a new version of this email")
    card = await harness.said("A new version from the model")
    assert "Launch news 9" in card.params["text"]
    harness.tap(harness.message_id_of(second), buttons(second)["🗑 Reject"])
    await harness.said("Rejected — it will not be sent")
    statuses = await _statuses(harness)
    assert (statuses[1], statuses[2]) == ("pending", "rejected")


async def test_the_sequence_view_shows_failures_and_the_send_log(
    harness: Harness, clock: MutableClock
) -> None:
    """Sent over real SMTP by the dispatcher's mail side; one address refused with a 550."""
    body = {**DAILY_TIPS, "recipient_emails": ["ann@example.com", "bob@example.com"]}
    await harness.bot.services.sequences.create(body, actor="api")
    await _written(harness, 3)
    first, _, _ = await _cards(harness, 3)
    harness.tap(harness.message_id_of(first), buttons(first)["✅ Approve"])
    await harness.said("Approved — it goes out at its time")
    clock.advance(days=1)  # email #1 is due
    sessions = harness.bot.services.sessions
    with running_smtp() as (box, smtp):
        box.rcpt_replies["bob@example.com"] = "550 5.1.1 No such user"
        await sweep(mail_dispatcher(sessions, clock, smtp, worker="test"))
    assert [m.rcpt for m in box.messages] == ["ann@example.com"]

    harness.send("/sequence")
    listing = await harness.said("📧 Email sequences")
    harness.tap(harness.message_id_of(listing), buttons(listing)["#1 Daily tips"])
    view = await harness.said("Sequence #1: Daily tips")
    text = view.params["text"]
    assert "failed 1 · sent 1" in text
    assert "bob@example.com · email #1 · failed: " in text and "No such user" in text
    harness.tap(
        harness.message_id_of(view),
        message_buttons(harness, harness.message_id_of(view))["📜 Send log"],
    )
    log = await harness.said("📜 Send log · #1 Daily tips")
    lines = log.params["text"].splitlines()
    assert lines.index("bob@example.com — failed 1") < lines.index("ann@example.com — sent 1")


async def test_more_than_a_page_of_emails_pages_on(harness: Harness) -> None:
    await harness.bot.services.sequences.create(DAILY_TIPS, actor="api")
    await harness.bot.services.sequences.create({**DAILY_TIPS, "name": "Weekly news"}, actor="api")
    await _written(harness, 6)  # three each
    harness.send("/approve")
    await harness.said("6 sequence emails waiting for approval</b> (soonest due first)")
    for _ in range(5):
        await harness.said("· email #")
    footer = await harness.said("Approve what you have read")
    assert set(buttons(footer)) == {
        "✅ Approve the rest of this week · Daily tips",
        "✅ Approve the rest of this week · Weekly news",
        "Next ▶",
    }
    harness.tap(harness.message_id_of(footer), buttons(footer)["Next ▶"])
    await harness.said("6 sequence emails waiting for approval</b> (the next)")
    last = await harness.said("· email #3")
    # The page is marked seen after its cards are sent and before its footer: wait for it.
    await harness.said("Approve what you have read")
    async with harness.bot.services.sessions() as session:
        seen = (await session.execute(select(SequenceEmail.seen_at))).scalars().all()
    assert sum(at is not None for at in seen) == 6
    assert "✅ Approve" in buttons(last)
