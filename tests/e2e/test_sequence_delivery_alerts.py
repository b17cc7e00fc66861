"""Delivery alerts end to end: a sequence email sent over real SMTP (aiosmtpd) with one
address refused and one cut off after DATA; each admin gets ONE alert for the email over
the Bot API double; "🔁 Send again" sends the unknown one once more, the other admin's
"✅ It was sent" on the same alert is refused."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

import pytest
from aiohttp import ClientSession

from bot.adapters.delivery_alerts import TelegramDeliveryAlerter
from bot.runner import start
from handlers.sequence.deliveries import delivery_message
from storage.repos import suppressions
from tests.campaigns.helpers import MutableClock
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.smtp_server import running_smtp
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness, make_settings
from tests.e2e.sequence_support import monday_clock, sequence_bot
from tests.mailing.helpers import add_sequence, deliveries, mail_dispatcher, sweep
from tests.publishing.helpers import FAST

ANN, BOB, GONE = "ann@example.com", "bob@example.com", "gone@example.com"


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


async def test_one_alert_per_email_and_send_again_from_it(
    harness: Harness, clock: MutableClock
) -> None:
    sessions = harness.bot.services.sessions
    alerter = TelegramDeliveryAlerter(
        harness.bot.application.bot, [ADMIN, OTHER_ADMIN], delivery_message
    )
    _, [email_id] = await add_sequence(sessions, [ANN, BOB, GONE], due=clock.now())
    policy = dataclasses.replace(FAST, send_timeout_s=0.5)
    with running_smtp() as (box, smtp):
        box.rcpt_replies[GONE] = "550 5.1.1 No such user"
        box.data_script += ["250 OK", "hang"]  # ann arrives, bob's DATA gets no answer
        mail = partial(mail_dispatcher, sessions, clock, smtp, worker="t", policy=policy,
                       alerter=alerter)  # fmt: skip
        await sweep(mail())
        await sweep(mail())
        alert = await harness.said("⚠️ <b>Autumn candles</b>, email #1")
        other = await harness.said("⚠️ <b>Autumn candles</b>, email #1")
        await sweep(mail())  # told once
        text = alert.params["text"]
        assert "failed 1 · sent 1 · unknown 1" in text
        assert f"• {GONE}: The mail server refused the recipient: 550 5.1.1" in text
        assert "<b>Unknown</b> (1)" in text and f"• {BOB}" in text
        assert {alert.params["chat_id"], other.params["chat_id"]} == {ADMIN, OTHER_ADMIN}

        harness.tap(harness.message_id_of(alert), buttons(alert)["🔁 Send again"])
        await harness.said("🔁 Unknown deliveries sending again: 1 delivery.")
        harness.tap(
            harness.message_id_of(other), buttons(other)["✅ It was sent"], user_id=OTHER_ADMIN
        )
        refused = await harness.api.wait_for(
            "answerCallbackQuery", lambda call: bool(call.params.get("show_alert"))
        )
        assert "already decided" in refused.params["text"].lower()
        await sweep(mail())
    assert [m.rcpt for m in box.messages].count(BOB) == 2  # cut off once, sent again once
    assert [m.rcpt for m in box.messages].count(ANN) == 1
    rows = await deliveries(sessions, email_id)
    assert {a: r.status for a, r in rows.items()} == {ANN: "sent", BOB: "sent", GONE: "failed"}
    texts = [c.params["text"] for c in harness.api.calls_to("sendMessage")]
    assert sum("email #1" in t and t.startswith("⚠️") for t in texts) == 2  # no third alert


async def test_the_running_bot_sends_and_tells_the_admins(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    """As deployed: SMTP and PUBLIC_BASE_URL set, the publishing sweep sends the approved
    email and the admins get the alert from the bot's own wiring."""
    clock = monday_clock()
    with running_smtp() as (box, smtp):
        box.rcpt_replies[GONE] = "550 5.1.1 No such user"
        settings = make_settings(telegram_api, llm_server, tmp_path)
        app = settings.app.model_copy(
            update={"public_base_url": "https://bot.shop.example", "publish_sweep_interval_s": 0.5}
        )
        settings = dataclasses.replace(settings, smtp=smtp, app=app)
        bot = await start(settings, clock=clock)
        try:
            await telegram_api.wait_for("getUpdates", timeout=10)
            harness = Harness(telegram_api, llm_server, bot)
            await add_sequence(bot.services.sessions, [ANN, GONE], due=clock.now())
            alert = await harness.said("⚠️ <b>Autumn candles</b>, email #1")
            [got] = box.messages
            link = str(got.message["List-Unsubscribe"]).strip().strip("<>")
            local = link.replace(
                "https://bot.shop.example", f"http://127.0.0.1:{settings.web.port}"
            )
            async with (  # the mail client's one-click
                ClientSession() as http,
                http.post(local, data="List-Unsubscribe=One-Click") as response,
            ):
                assert response.status == 200 and "unsubscribed" in await response.text()
        finally:
            await bot.stop()
    assert "failed 1 · sent 1" in alert.params["text"] and "reply_markup" not in alert.params
    assert got.rcpt == ANN and link.startswith("https://bot.shop.example/u/")
    async with bot.services.sessions() as session:
        assert await suppressions.is_suppressed(session, ANN)
