"""Refused button presses leave a trace: the answer as before, a log line, a metric.

A stranger's tap, a forged payload and a stale card go through the real Application;
the counts are read from /metrics as Prometheus would scrape them.
"""

from __future__ import annotations

import logging
import re

import aiohttp
import pytest
from sqlalchemy import select
from telegram.ext import CallbackQueryHandler

from handlers.common.refusals import ACTIONS
from storage.models import Post
from tests.doubles.telegram_api import RecordedCall
from tests.e2e.campaign_support import buttons, make_campaign, make_persona
from tests.e2e.harness import ADMIN, STRANGER, Harness

FORGED = "evil:" + "A" * 50  # no button of ours carries it


async def _answer(harness: Harness, text: str) -> RecordedCall:
    return await harness.api.wait_for(
        "answerCallbackQuery", lambda c: text in str(c.params.get("text"))
    )


async def _metrics(harness: Harness) -> str:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{harness.web_url}/metrics") as response,
    ):
        assert response.status == 200
        return await response.text()


def _refusals(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int, str, str]]:
    return [
        (r.levelname, r.user_id, r.action, r.reason)  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "copilot.refusals"
    ]


async def test_refused_presses_are_answered_logged_and_counted(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="copilot.refusals")
    persona = await make_persona(harness)
    await make_campaign(harness, persona.id, posts=1)
    harness.send("/approve")
    card = await harness.said("Candle story 1")
    card_id, approve = harness.message_id_of(card), buttons(card)["✅ Approve"]

    harness.tap(card_id, approve, user_id=STRANGER, chat_id=ADMIN)  # the admin's card
    stranger = await _answer(harness, "private bot")
    assert stranger.params["show_alert"] is True

    harness.tap(card_id, "pst:ap:1:x", stale=True)  # our kind, a payload no button has
    await _answer(harness, "This button is no longer valid.")
    harness.tap(card_id, FORGED, stale=True)
    await _answer(harness, "This button is no longer valid.")

    [post] = await _posts(harness)
    await harness.bot.services.posts.edit_caption(post.id, "Words it never showed", ADMIN)
    harness.tap(card_id, approve)  # the card still shows the old caption
    stale = await _answer(harness, "changed since this card was shown")
    assert stale.params["show_alert"] is True

    [post] = await _posts(harness)
    assert post.approved_at is None and post.status == "draft"
    assert _refusals(caplog) == [
        ("WARNING", STRANGER, "pst", "stranger"),
        ("WARNING", ADMIN, "pst", "invalid"),
        ("WARNING", ADMIN, "other", "invalid"),
        ("INFO", ADMIN, "pst", "stale"),
    ]
    assert f"user {STRANGER}, pst button, stranger" in caplog.records[0].getMessage()
    scraped = await _metrics(harness)
    for labels in (
        'action="pst",reason="stranger"',
        'action="pst",reason="invalid"',
        'action="other",reason="invalid"',
        'action="pst",reason="stale"',
    ):
        assert f"copilot_refused_actions_total{{{labels}}} 1.0" in scraped
    assert "evil" not in scraped and "AAAA" not in scraped  # never a label from the client


async def test_a_stale_regenerate_tap_is_refused_logged_and_counted(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="copilot.refusals")
    persona = await make_persona(harness)
    await make_campaign(harness, persona.id, posts=1)
    harness.send("/approve")
    card = await harness.said("Candle story 1")
    [post] = await _posts(harness)
    await harness.bot.services.posts.edit_caption(post.id, "Words it never showed", ADMIN)
    harness.tap(harness.message_id_of(card), buttons(card)["🔄 Regenerate"])
    await _answer(harness, "Nothing was regenerated")

    [post] = await _posts(harness)
    assert post.caption == "Words it never showed"
    assert harness.llm.requests == []  # no model call for a stale card
    assert _refusals(caplog) == [("INFO", ADMIN, "pst", "stale")]
    assert 'copilot_refused_actions_total{action="pst",reason="stale"} 1.0' in await _metrics(
        harness
    )


async def test_a_button_of_a_cancelled_conversation_is_a_stale_refusal(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="copilot.refusals")
    await make_persona(harness)
    harness.send("/campaign")
    question = await harness.said("step 1 of 7")
    harness.send("/cancel")
    await harness.said("Cancelled")
    harness.tap(harness.message_id_of(question), buttons(question)["Acme Candles"])
    await _answer(harness, "That step is over")

    assert _refusals(caplog) == [("INFO", ADMIN, "cmp", "stale")]
    assert 'copilot_refused_actions_total{action="cmp",reason="stale"} 1.0' in await _metrics(
        harness
    )


async def test_every_routed_button_kind_is_a_metric_label(harness: Harness) -> None:
    """The label set in handlers.common.refusals names every button prefix a feature routes."""
    routed = {
        handler.pattern.pattern.removeprefix("^").split(":")[0]
        for handler in harness.bot.application.handlers[0]
        if isinstance(handler, CallbackQueryHandler) and isinstance(handler.pattern, re.Pattern)
    }
    assert routed and routed <= ACTIONS


async def _posts(harness: Harness) -> list[Post]:
    async with harness.bot.services.sessions() as session:
        return list((await session.execute(select(Post).order_by(Post.id))).scalars())
