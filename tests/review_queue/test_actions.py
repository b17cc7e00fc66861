"""decide()'s other paths, through the running bot: regenerate with the model double, a
reply approved in the app and sent over SMTP, and a compliance failure that needs
confirmed=True (the review crew on, as the chat's "Approve anyway")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.settings import Settings
from core.config import SMTPSettings
from core.errors import AlreadyDecided
from core.posts.crew_gate import ComplianceUnconfirmed
from core.review_queue import QueueAction, QueueItem
from domain.crew import ItemKind, StepName
from domain.emaildesk import EmailSource
from tests.crew_cards.crew_server import CrewAwareLLMServer
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.smtp_server import ScriptedSmtp, running_smtp
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.campaign_support import message_buttons
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness, make_settings, running
from tests.email_replies.support import EMAIL, answer, triage
from tests.review_queue.support import (
    bot_on,
    cards_recorded,
    post,
    queue,
    seed_posts,
    seed_suggestion,
    shown_text,
    suggestion,
)

NEW_TEXT = {"caption": "Long evenings, warm light.", "hashtags": ["acme", "#glow"]}
FAIL = {
    StepName.COMPLIANCE: {
        "verdict": "fail", "compliance": 20, "issues": ["Claims a cure: not allowed."],
    },
}  # fmt: skip


async def test_regenerating_a_post_in_the_app_redraws_its_card(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.db"
    async with bot_on(telegram_api, llm_server, tmp_path, url) as harness:
        await seed_posts(harness, 1)
        harness.send("/approve")
        card_id = harness.message_id_of(await harness.said("Candle story 1"))
        await cards_recorded(harness, ItemKind.POST, 1, (ADMIN, card_id))
        old = message_buttons(harness, card_id)["✅ Approve"]
        harness.llm.reply(NEW_TEXT)

        decision = await queue(harness).decide(ItemKind.POST, 1, QueueAction.REGENERATE, ADMIN)

        assert decision.message == "Post #1 regenerated 🔄"
        assert (await post(harness, 1)).caption == "Long evenings, warm light."
        text = shown_text(harness, card_id)
        assert "Long evenings, warm light." in text and "🔄 Regenerated in the dashboard" in text
        assert message_buttons(harness, card_id)["✅ Approve"] != old
        harness.llm.reply({"caption": "Long evenings, warm light.", "hashtags": ["#acme"]})
        again = await queue(harness).decide(ItemKind.POST, 1, QueueAction.REGENERATE, ADMIN)
        assert again.message == "The model wrote the same words again; nothing changed."


@pytest.fixture
def smtp() -> Iterator[tuple[ScriptedSmtp, SMTPSettings]]:
    with running_smtp() as server:
        yield server


async def test_a_reply_approved_in_the_app_is_sent_once_and_every_card_says_so(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    tmp_path: Path,
    smtp: tuple[ScriptedSmtp, SMTPSettings],
) -> None:
    settings = replace(make_settings(telegram_api, llm_server, tmp_path), smtp=smtp[1])
    async with running(telegram_api, llm_server, settings) as harness:
        harness.llm.reply(triage())
        harness.llm.reply(answer())
        intake = harness.bot.services.email_intake
        await intake.receive_fields(EMAIL, source=EmailSource.API, source_ref=None)
        cards = [await harness.said("Reply #1") for _ in range(2)]  # both admins' cards
        shown = [(int(c.params["chat_id"]), harness.message_id_of(c)) for c in cards]
        await cards_recorded(harness, ItemKind.REPLY, 1, *shown)
        (item,) = await queue(harness).items()

        decisions = await asyncio.gather(
            _approve(harness, item, ADMIN), _approve(harness, item, OTHER_ADMIN)
        )

        assert sorted(decisions) == ["already", "approved"]
        await harness.said("✅ Sent to ana@example.com")
        await harness.said("✅ Sent to ana@example.com")  # the other admin's card
        await harness.bot.services.reply_engine.idle()
        assert len(smtp[0].messages) == 1


async def _approve(harness: Harness, item: QueueItem, user_id: int) -> str:
    try:
        await queue(harness).decide(
            item.kind, item.id, QueueAction.APPROVE, user_id, revision=item.revision
        )
    except AlreadyDecided:  # "already approved", or "is being sent" by then
        return "already"
    return "approved"


@pytest.fixture
async def crew_harness(
    telegram_api: TelegramApiDouble, crew_llm: CrewAwareLLMServer, crew_settings: Settings
) -> AsyncIterator[Harness]:
    async with running(telegram_api, crew_llm, crew_settings) as harness:
        yield harness


async def test_a_compliance_failure_needs_confirmation_in_the_app(
    crew_harness: Harness, crew_llm: CrewAwareLLMServer
) -> None:
    harness = crew_harness
    crew_llm.crew_answers.update(FAIL)
    sid = await seed_suggestion(harness)
    await queue(harness).items()  # showing it asks the crew, as /approve's card does
    item = await _reviewed(harness)
    assert item.needs_confirmation and item.scores is not None
    assert item.scores["compliance"] == 20

    with pytest.raises(ComplianceUnconfirmed, match="compliance problem in suggestion #1"):
        await queue(harness).decide(ItemKind.SUGGESTION, sid, QueueAction.APPROVE, ADMIN)
    assert (await suggestion(harness, sid)).status == "pending"

    await queue(harness).decide(
        ItemKind.SUGGESTION, sid, QueueAction.APPROVE, ADMIN, confirmed=True
    )
    assert (await suggestion(harness, sid)).status == "approved"
    review = await harness.bot.services.crew.latest(ItemKind.SUGGESTION, sid)
    assert review is not None and review.compliance_confirmed_by == ADMIN


async def _reviewed(harness: Harness) -> QueueItem:
    """The queue's one item once the crew has scored it."""
    for _ in range(300):
        (item,) = await queue(harness).items()
        if item.scores is not None:
            return item
        await asyncio.sleep(0.1)
    raise AssertionError("the crew never scored the item")
