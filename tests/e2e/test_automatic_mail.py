"""Automatic mail handed to the running bot as an .eml in /email: a bounce and an
out-of-office reply are stored, said to be automatic with the reason, get no reply
draft, and /email lists them as such."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.models import ReplyDraft
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.campaign_support import send_document
from tests.e2e.harness import Harness, make_settings, running
from tests.emaildesk import automatic_samples as samples


@pytest.fixture
async def harness(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    async with running(telegram_api, llm_server, make_settings(telegram_api, None, tmp_path)) as h:
        yield h


async def test_a_bounce_and_an_auto_reply_as_eml_files_get_no_draft(harness: Harness) -> None:
    bounce = samples.postfix_bounce("<seq9-e1-d1@shop.example>", "gone@customer.example")
    send_document(harness, "bounce.eml", bounce, mime_type="message/rfc822")
    said = await harness.said("as automatic mail, not from a person")
    text = said.params["text"]
    assert "a delivery report: failed 5.1.1 for gone@customer.example" in text
    assert "not about an email the bot sent" in text and "No reply draft" in text
    assert said.params["parse_mode"] == "HTML"

    send_document(harness, "away.eml", samples.EXCHANGE_OUT_OF_OFFICE)
    said = await harness.said("Stored email #2 as automatic mail")
    assert "Auto-Submitted: auto-generated" in said.params["text"]

    harness.send("/email")
    listing = (await harness.said("Latest emails")).params["text"]
    assert "bounce, not answered · MAILER-DAEMON@mail.shop.example" in listing
    assert "auto-reply, not answered · jane@customer.example" in listing
    async with harness.bot.services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ReplyDraft)) == 0
