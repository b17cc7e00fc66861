"""The one-transition guarantee: the Mini App and a chat card deciding the same item at the
same moment, or two Mini App requests at once, make one change; the loser is told it was
already decided (on SQLite and on PostgreSQL, where the two really run side by side)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select

from core.errors import AlreadyDecided
from core.review_queue import Decision, QueueAction
from domain.crew import ItemKind
from storage.models import PostTransition
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness
from tests.review_queue.support import (
    email,
    post,
    posts_of_suggestion,
    queue,
    seed_emails,
    seed_posts,
    seed_suggestion,
    suggestion,
)

Winner = Callable[[Harness, int], Awaitable[int | None]]


async def _ready_moves(harness: Harness, post_id: int) -> int:
    async with harness.bot.services.sessions() as session:
        statement = select(func.count()).where(
            PostTransition.post_id == post_id, PostTransition.to_status == "ready"
        )
        return int(await session.scalar(statement) or 0)


async def _app(harness: Harness, kind: ItemKind, item_id: int, user_id: int) -> Decision | None:
    """The Mini App's approve; None when it lost (AlreadyDecided)."""
    try:
        return await queue(harness).decide(kind, item_id, QueueAction.APPROVE, user_id)
    except AlreadyDecided:
        return None


async def _post_winner(harness: Harness, item_id: int) -> int | None:
    assert await _ready_moves(harness, item_id) == 1
    return (await post(harness, item_id)).approved_by


async def _suggestion_winner(harness: Harness, item_id: int) -> int | None:
    assert len(await posts_of_suggestion(harness, item_id)) == 1  # one post, not two
    return (await suggestion(harness, item_id)).decided_by


async def _email_winner(harness: Harness, item_id: int) -> int | None:
    row = await email(harness, item_id)
    assert row.status == "approved"
    return row.approved_by


async def _seed_post(harness: Harness) -> int:
    await seed_posts(harness, 1, post_format="text")
    return 1


async def _seed_email(harness: Harness) -> int:
    await seed_emails(harness, 1)
    return 1


SEEDS: dict[ItemKind, tuple[Callable[[Harness], Awaitable[int]], Winner]] = {
    ItemKind.POST: (_seed_post, _post_winner),
    ItemKind.SUGGESTION: (seed_suggestion, _suggestion_winner),
    ItemKind.SEQUENCE_EMAIL: (_seed_email, _email_winner),
}


@pytest.mark.parametrize("kind", list(SEEDS))
async def test_two_app_requests_at_once_make_one_transition(
    harness: Harness, kind: ItemKind
) -> None:
    seed, winner_of = SEEDS[kind]
    item_id = await seed(harness)

    first, second = await asyncio.gather(
        _app(harness, kind, item_id, ADMIN), _app(harness, kind, item_id, OTHER_ADMIN)
    )

    decisions = [d for d in (first, second) if d is not None]
    assert len(decisions) == 1 and decisions[0].status in {"ready", "approved"}
    assert await winner_of(harness, item_id) == (ADMIN if first is not None else OTHER_ADMIN)
    with pytest.raises(AlreadyDecided):  # and a third, later, is told so too
        await queue(harness).decide(kind, item_id, QueueAction.APPROVE, ADMIN)


# What each kind's card is called in /approve (the text the test waits for).
CARD_TEXT = {
    ItemKind.POST: "Candle story 1",
    ItemKind.SUGGESTION: "Cosy candle evening",
    ItemKind.SEQUENCE_EMAIL: "Daily tips · email #1",
}


@pytest.mark.parametrize("app_delay_s", [0.0, 0.3], ids=["at-once", "chat-ahead"])
@pytest.mark.parametrize("kind", list(CARD_TEXT))
async def test_the_app_and_a_chat_card_approve_at_once(
    harness: Harness, kind: ItemKind, app_delay_s: float
) -> None:
    seed, winner_of = SEEDS[kind]
    item_id = await seed(harness)
    harness.send("/approve")
    card = await harness.said(CARD_TEXT[kind])

    harness.tap(harness.message_id_of(card), buttons(card)["✅ Approve"])  # the chat: ADMIN
    await asyncio.sleep(app_delay_s)
    app = await _app(harness, kind, item_id, OTHER_ADMIN)  # the Mini App
    answer = await harness.api.wait_for("answerCallbackQuery")

    chat_won = answer.params.get("text") == "Approved ✅"
    assert chat_won != bool(answer.params.get("show_alert"))  # approved, or refused
    assert chat_won == (app is None)  # exactly one of them approved it
    assert await winner_of(harness, item_id) == (ADMIN if chat_won else OTHER_ADMIN)
