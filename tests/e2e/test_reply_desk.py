"""A customer email through the running bot: the API takes it, a draft card reaches the
admins, every button is tapped, and a real aiosmtpd receives the threaded reply."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.runner import start
from bot.settings import Settings
from core.clock import SystemClock
from core.config import SMTPSettings
from core.emaildesk.intake import EmailIntake
from domain.email_replies import ReplyStatus
from domain.emaildesk import EmailSource
from storage.db import make_engine, make_session_factory
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.smtp_server import ScriptedSmtp
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness, make_settings, running, with_api
from tests.email_replies.support import answer, triage
from tests.emaildesk.automatic_samples import postfix_bounce

TOKEN = "api-token-for-the-reply-desk"
EMAIL = {
    "from": "Ana <ana@example.com>",
    "to": "help@shop.example",
    "subject": "Broken <candle> & more",
    "text": "Hello, my candle arrived broken. Order A-1001.",
    "message_id": "<m2@mail.example.com>",
    "in_reply_to": "<m1@shop.example>",
}
CARD_BUTTONS = {"✅ Approve & send", "✏️ Edit", "🔄 Regenerate", "🎭 Change tone", "🗑 Reject"}


@dataclass
class Desk:
    harness: Harness
    box: ScriptedSmtp

    async def email_in(self, **fields: Any) -> int:
        url = f"{self.harness.web_url}/api/emails/inbound"
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with (
            aiohttp.ClientSession() as client,
            client.post(url, json={**EMAIL, **fields}, headers=headers) as response,
        ):
            assert response.status == 202, await response.text()
            email_id: int = (await response.json())["id"]
            return email_id

    async def card(self, text: str, chat_id: int = ADMIN) -> tuple[int, dict[str, str]]:
        call = await self.harness.said(text)
        while int(call.params["chat_id"]) != chat_id:
            call = await self.harness.said(text)
        return self.harness.message_id_of(call), buttons(call)


def buttons(call: RecordedCall) -> dict[str, str]:
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return {b["text"]: b["callback_data"] for row in markup["inline_keyboard"] for b in row}


@asynccontextmanager
async def running_desk(
    api: TelegramApiDouble,
    llm: FakeLLMServer,
    settings: Settings,
    smtp: tuple[ScriptedSmtp, SMTPSettings],
) -> AsyncIterator[Desk]:
    """The bot on `settings` with the API on (TOKEN) and mail going to `smtp`."""
    settings = replace(with_api(settings, TOKEN, publish_send_timeout_s=1.0), smtp=smtp[1])
    async with running(api, llm, settings) as harness:
        yield Desk(harness, smtp[0])


@pytest.fixture
async def desk(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    tmp_path: Path,
    smtp: tuple[ScriptedSmtp, SMTPSettings],
) -> AsyncIterator[Desk]:
    settings = make_settings(telegram_api, llm_server, tmp_path)
    async with running_desk(telegram_api, llm_server, settings, smtp) as desk:
        yield desk


async def test_email_in_card_out_every_button_then_a_threaded_reply(desk: Desk) -> None:
    h = desk.harness
    h.llm.reply(triage())
    h.llm.reply(answer(confidence=0.45))
    await desk.email_in()
    card_id, keys = await desk.card("Reply #1")
    text = _text_of(h, card_id)
    assert "<b>From:</b> Ana &lt;ana@example.com&gt;" in text
    assert "<b>Subject:</b> Broken &lt;candle&gt; &amp; more" in text
    assert "<b>The customer:</b> The candle arrived broken" in text
    assert "Low confidence (45%)</b>: read it carefully" in text
    assert "<blockquote>Dear Ana," in text and "<b>Suggested actions:</b> replacement" in text
    assert set(keys) == CARD_BUTTONS
    other_id, other_keys = await desk.card("Reply #1", chat_id=OTHER_ADMIN)

    h.tap(card_id, keys["🎭 Change tone"])
    await h.api.wait_for("answerCallbackQuery")
    tones = buttons(await h.said("Reply #1"))
    assert set(tones) == {"👔 Professional", "😊 Friendly", "🙏 Apologetic", "◀ Back"}
    h.llm.reply(answer(tone="friendly", draft="Hi Ana! So sorry. The Candle Shop team"))
    h.tap(card_id, tones["😊 Friendly"])
    await h.said("Writing another draft")
    friendly = await h.said("So sorry")
    assert "Tone:</b> friendly" in str(friendly.params["text"])
    keys = buttons(friendly)

    h.llm.reply(answer(draft="Dear Ana, we are sorry. We will check order A-1001."))
    h.tap(card_id, keys["🔄 Regenerate"])
    keys = buttons(await h.said("We will check order A-1001"))

    h.tap(card_id, keys["✏️ Edit"])
    await h.said("Send the new text of reply #1")
    h.send("Dear Ana, a new candle is on its way.\n\nThe Candle Shop team")
    await h.said("Reply #1 updated")
    edited_id, keys = await desk.card("a new candle is on its way")
    assert edited_id == card_id

    h.tap(card_id, keys["✅ Approve & send"])
    await h.said("✅ Sent to ana@example.com")
    (received,) = desk.box.messages
    message = received.message
    assert received.rcpt == "ana@example.com"
    assert message["Subject"] == "Re: Broken <candle> & more"
    assert message["In-Reply-To"] == "<m2@mail.example.com>"
    assert message["References"] == "<m2@mail.example.com>"
    assert message["Message-ID"] == "<reply-1@shop.example>"
    assert isinstance(message, EmailMessage)
    plain = message.get_body(("plain",))
    assert plain is not None and "a new candle is on its way" in plain.get_content()
    await desk.card("✅ Sent to ana@example.com", chat_id=OTHER_ADMIN)  # every copy says so

    h.tap(other_id, other_keys["✅ Approve & send"], user_id=OTHER_ADMIN, stale=True)
    stale = await h.api.wait_for("answerCallbackQuery", lambda c: "text" in c.params
                                 and "already sent" in str(c.params["text"]))  # fmt: skip
    assert stale.params["show_alert"] is True and len(desk.box.messages) == 1


def _text_of(h: Harness, message_id: int, chat_id: int = ADMIN) -> str:
    """What the message shows now: its last send or edit."""
    for call in reversed(h.api.calls):
        if call.method not in ("sendMessage", "editMessageText") or not call.ok:
            continue
        if h.message_id_of(call) == message_id and int(call.params["chat_id"]) == chat_id:
            return str(call.params["text"])
    raise AssertionError(f"no message {message_id} in chat {chat_id}")


async def _pending_card(desk: Desk) -> tuple[int, dict[str, str]]:
    desk.harness.llm.reply(triage())
    desk.harness.llm.reply(answer())
    await desk.email_in()
    return await desk.card("Reply #1")


async def test_reject_sends_nothing(desk: Desk) -> None:
    card_id, keys = await _pending_card(desk)
    desk.harness.tap(card_id, keys["🗑 Reject"])
    rejected = await desk.harness.said("🗑 rejected")
    assert buttons(rejected) == {} and desk.box.messages == []


async def test_a_5xx_shows_the_reason_and_retry_sends_it(desk: Desk) -> None:
    h = desk.harness
    desk.box.data_script.append("554 5.7.1 Rejected as spam")
    card_id, keys = await _pending_card(desk)
    h.tap(card_id, keys["✅ Approve & send"])
    failed = await h.said("❌ Not sent")
    assert "554 5.7.1 Rejected as spam" in str(failed.params["text"])
    assert set(buttons(failed)) == {"🔁 Retry", "🗑 Reject"} and desk.box.messages == []
    h.tap(card_id, buttons(failed)["🔁 Retry"])
    await h.said("✅ Sent to ana@example.com")
    assert len(desk.box.messages) == 1


async def test_a_timeout_after_data_asks_the_admin_and_sends_again_only_when_told(
    desk: Desk,
) -> None:
    h = desk.harness
    desk.box.hang_s = 3
    desk.box.data_script.append("hang")
    card_id, keys = await _pending_card(desk)
    h.tap(card_id, keys["✅ Approve & send"])
    unknown = await h.said("❓ maybe sent")
    assert set(buttons(unknown)) == {"✅ It was sent", "📤 Send again"}
    assert len(desk.box.messages) == 1  # the server kept it, but never said so
    await h.bot.services.reply_engine.sweep()  # nothing resends it by itself
    await h.bot.services.reply_engine.idle()
    assert len(desk.box.messages) == 1
    h.tap(card_id, buttons(unknown)["📤 Send again"])
    await h.said("✅ Sent to ana@example.com")
    first, second = (m.message["Message-ID"] for m in desk.box.messages)
    assert first == second == "<reply-1@shop.example>"


async def test_it_was_sent_settles_it_without_sending(desk: Desk) -> None:
    h = desk.harness
    desk.box.data_script.append("drop")
    card_id, keys = await _pending_card(desk)
    h.tap(card_id, keys["✅ Approve & send"])
    unknown = await h.said("❓ maybe sent")
    h.tap(card_id, buttons(unknown)["✅ It was sent"])
    sent = await h.said("✅ Sent to ana@example.com")
    assert buttons(sent) == {} and len(desk.box.messages) == 1


async def test_approve_lists_the_waiting_replies(desk: Desk) -> None:
    h = desk.harness
    await _pending_card(desk)
    h.send("/approve")
    await h.said("1 customer replies waiting")
    again_id, again = await desk.card("Reply #1")
    assert set(again) == CARD_BUTTONS
    desk.box.data_script.clear()
    h.tap(again_id, again["✅ Approve & send"])
    await h.said("✅ Sent to ana@example.com")
    assert len(desk.box.messages) == 1


async def test_an_email_stored_while_the_bot_was_down_gets_its_card_at_start(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    tmp_path: Path,
    smtp: tuple[ScriptedSmtp, SMTPSettings],
) -> None:
    settings = replace(make_settings(telegram_api, llm_server, tmp_path), smtp=smtp[1])
    bot = await start(settings)
    await bot.stop()
    # Stored by another process (the IMAP poller of a replica, say) while this one was down.
    engine = make_engine(settings.database.database_url)
    try:
        intake = EmailIntake(make_session_factory(engine), SystemClock())
        await intake.receive_fields(EMAIL, source=EmailSource.API, source_ref=None)
    finally:
        await engine.dispose()
    llm_server.reply(triage())
    llm_server.reply(answer())
    bot = await start(settings)
    try:
        harness = Harness(telegram_api, llm_server, bot)
        card = await harness.said("Reply #1")
        assert set(buttons(card)) == CARD_BUTTONS
    finally:
        await bot.stop()


async def test_without_smtp_approving_says_sending_is_off_and_changes_nothing(
    harness: Harness,
) -> None:
    harness.llm.reply(triage())
    harness.llm.reply(answer())
    intake = harness.bot.services.email_intake
    await intake.receive_fields(EMAIL, source=EmailSource.API, source_ref=None)
    card = await harness.said("Reply #1")
    harness.tap(harness.message_id_of(card), buttons(card)["✅ Approve & send"])
    refused = await harness.api.wait_for("answerCallbackQuery", lambda c: "text" in c.params)
    assert "Email sending is off: set SMTP_HOST and EMAIL_FROM" in str(refused.params["text"])
    view = await harness.bot.services.replies.get(1)
    assert view.status is ReplyStatus.PENDING


async def test_a_bounce_of_the_sent_reply_is_shown_on_its_cards_and_gets_no_draft(
    desk: Desk,
) -> None:
    h = desk.harness
    h.llm.reply(triage())
    h.llm.reply(answer())
    await desk.email_in()
    card_id, keys = await desk.card("Reply #1")
    h.tap(card_id, keys["✅ Approve & send"])
    await h.said("✅ Sent to ana@example.com")
    (received,) = desk.box.messages
    bounce = postfix_bounce(str(received.message["Message-ID"]), "ana@example.com")
    url, headers = f"{h.web_url}/api/emails/inbound", {"Authorization": f"Bearer {TOKEN}"}
    async with (
        aiohttp.ClientSession() as client,
        client.post(url, data=bounce, headers=headers | {"Content-Type": "message/rfc822"}) as r,
    ):
        body = await r.json()
    assert (r.status, body["status"]) == (202, "automatic")
    assert "about the reply to ana@example.com (customer email #1)" in body["reason"]
    await desk.card("↩️ But it bounced back: Bounced (5.1.1)")
    await desk.card("↩️ But it bounced back", chat_id=OTHER_ADMIN)
    reply = await h.bot.services.replies.get(1)
    assert reply.status is ReplyStatus.SENT and len(desk.box.messages) == 1
    assert await h.bot.services.email_intake.get(2) is not None  # stored, no card: no "Reply #2"
    assert not any("Reply #2" in str(c.params.get("text")) for c in h.api.calls)
