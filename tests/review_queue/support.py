"""The whole bot on SQLite or PostgreSQL, and the items /approve (and the queue) shows."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from core.review_queue import ReviewQueue
from domain.crew import ItemKind
from storage.models import Post, SequenceEmail, Suggestion
from storage.repos import suggestions as suggestion_repo
from tests.campaigns.helpers import MutableClock
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.campaign_support import buttons, make_persona, plan_answer
from tests.e2e.harness import ADMIN, Harness, eventually, make_settings, running
from tests.e2e.sequence_support import DAILY_TIPS, MONDAY, email_answer

SUGGESTION = {
    "title": "Cosy candle evening",
    "what": "A candle on a table at dusk",
    "why": "Evenings are getting longer",
    "when": "2030-03-06T18:00:00+01:00",
    "products": ["Beeswax candle"],
    "caption": "Light one tonight.",
    "hashtags": ["#candles"],
}


@contextlib.asynccontextmanager
async def bot_on(
    api: TelegramApiDouble, llm: FakeLLMServer, data_dir: Path, database_url: str
) -> AsyncIterator[Harness]:
    """The bot on Monday 4 March 2030, 11:00 Berlin (sequence emails are due from Tuesday)."""
    settings = make_settings(api, llm, data_dir, database_url=database_url)
    async with running(api, llm, settings, clock=MutableClock(MONDAY)) as harness:
        yield harness


def queue(harness: Harness) -> ReviewQueue:
    return harness.bot.services.review_queue


async def cards_recorded(
    harness: Harness, kind: ItemKind, item_id: int, *cards: tuple[int, int]
) -> None:
    """Wait until these (chat_id, message_id) cards of the item are recorded. A card is
    recorded after it is sent (the record needs its message id), so a decision made the
    moment the card shows may not find it yet, and would not redraw it."""

    async def recorded() -> bool:
        shown = await harness.bot.services.review_cards.of_item(kind, item_id)
        return set(cards) <= {(card.chat_id, card.message_id) for card in shown}

    await eventually(recorded, what=f"{kind} {item_id}'s cards {cards} recorded")


async def seed_posts(harness: Harness, count: int = 2, post_format: str = "image") -> None:
    """A campaign of `count` draft posts (from ten days after the bot's Monday); an
    approved text post becomes ready at once (a transition), an image post waits."""
    persona = await make_persona(harness)
    start = MONDAY.date() + timedelta(days=10)
    plan = plan_answer(start, count)
    for planned in plan["posts"]:
        planned["format"] = post_format
    body = {"persona_id": persona.id, **plan}
    await harness.bot.services.campaigns.create(body, actor="api", model="api")


async def seed_suggestion(harness: Harness, title: str = "Cosy candle evening") -> int:
    async with harness.bot.services.sessions.begin() as session:
        payload = {**SUGGESTION, "title": title}
        row = await suggestion_repo.insert(
            session, payload=payload, chat_id=ADMIN, user_id=ADMIN, llm_call_id=None
        )
        return row.id


async def seed_emails(harness: Harness, count: int = 2) -> None:
    """A daily sequence with its first `count` emails written (pending review)."""
    await harness.bot.services.sequences.create(DAILY_TIPS, actor="api")
    for number in range(1, count + 1):
        harness.llm.reply(email_answer(number))
    assert await harness.bot.services.sequence_writer.write_due() == count


async def post(harness: Harness, post_id: int) -> Post:
    async with harness.bot.services.sessions() as session:
        row = await session.get(Post, post_id)
        assert row is not None
        return row


async def suggestion(harness: Harness, suggestion_id: int) -> Suggestion:
    async with harness.bot.services.sessions() as session:
        row = await session.get(Suggestion, suggestion_id)
        assert row is not None
        return row


async def email(harness: Harness, email_id: int) -> SequenceEmail:
    async with harness.bot.services.sessions() as session:
        row = await session.get(SequenceEmail, email_id)
        assert row is not None
        return row


async def posts_of_suggestion(harness: Harness, suggestion_id: int) -> list[Post]:
    async with harness.bot.services.sessions() as session:
        rows = await session.scalars(select(Post).where(Post.suggestion_id == suggestion_id))
        return list(rows)


async def tap_label(harness: Harness, call: RecordedCall, label: str, user_id: int = ADMIN) -> None:
    harness.tap(harness.message_id_of(call), buttons(call)[label], user_id=user_id)


def shown_text(harness: Harness, message_id: int, chat_id: int = ADMIN) -> str:
    for message in harness.api.messages_in(chat_id):
        if message.get("message_id") == message_id:
            return str(message.get("text", ""))
    raise AssertionError(f"no message {message_id} in chat {chat_id}")
