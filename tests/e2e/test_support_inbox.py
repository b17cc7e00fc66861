"""The support inbox through the running bot: a customer mail in Dovecot becomes a reply
draft card for the admins, once, across a restart; a mailbox that refuses the login is
told to the admins once, in words that say what to fix."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.runner import RunningBot, start
from tests.doubles.dovecot import Account
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness, make_settings
from tests.email_replies.support import answer, triage
from tests.inbox.support import mail, settings


@asynccontextmanager
async def running(
    api: TelegramApiDouble, llm: FakeLLMServer, data_dir: Path, account: Account, **imap: Any
) -> AsyncIterator[Harness]:
    base = make_settings(api, llm, data_dir)
    bot: RunningBot = await start(replace(base, imap=settings(account, **imap)))
    try:
        await api.wait_for("getUpdates", timeout=10)
        yield Harness(api, llm, bot)
    finally:
        await bot.stop()


async def test_a_customer_mail_becomes_one_draft_card_across_a_restart(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    tmp_path: Path,
    imap_account: Account,
) -> None:
    uid = imap_account.append(mail(1, subject="Where is order A-1001?"))
    llm_server.reply(triage())
    llm_server.reply(answer())

    async with running(telegram_api, llm_server, tmp_path, imap_account) as h:
        card = await h.said("Reply #1")
        assert "Where is order A-1001?" in str(card.params["text"])
        assert "customer1@example.org" in str(card.params["text"])

    async with running(telegram_api, llm_server, tmp_path, imap_account) as h:
        await h.bot.services.reply_engine.sweep()
        await h.bot.services.reply_engine.idle()
        assert len(await h.bot.services.email_intake.recent()) == 1

    cards = [
        call
        for call in telegram_api.calls
        if call.method == "sendMessage" and "Reply #" in str(call.params.get("text"))
    ]
    assert {int(call.params["chat_id"]) for call in cards} == {ADMIN, OTHER_ADMIN}
    assert len(cards) == 2  # one card per admin, and no second draft after the restart
    assert "\\Seen" not in imap_account.flags(uid)


async def test_a_refused_login_is_told_to_the_admins_once(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    tmp_path: Path,
    imap_account: Account,
) -> None:
    async with running(
        telegram_api, llm_server, tmp_path, imap_account, password="hunter2-not-it"
    ) as h:
        alert = await h.said("I can't read the support inbox")
    text = str(alert.params["text"])
    assert f"refused the login of {imap_account.username}" in text
    assert "IMAP_PASSWORD" in text and "hunter2" not in text
    assert alert.params["parse_mode"] == "HTML"
    told = [
        call
        for call in telegram_api.calls
        if call.method == "sendMessage" and "support inbox" in str(call.params.get("text"))
    ]
    assert len(told) == 2  # once, to each admin
