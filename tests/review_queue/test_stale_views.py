"""A Mini App card older than a chat decision: the app sends what it saw (the item's status
and revision), and an action on that stale view is refused, naming what the item is now
and who made it so; nothing changes. Every kind in the queue, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from core.errors import AlreadyDecided
from core.review_queue import QueueAction, QueueItem
from domain.crew import ItemKind
from domain.emaildesk import EmailSource
from tests.e2e.campaign_support import message_buttons
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness, eventually
from tests.email_replies.support import EMAIL, answer, triage
from tests.review_queue.support import (
    email,
    post,
    queue,
    seed_emails,
    seed_posts,
    seed_suggestion,
    suggestion,
)

A = QueueAction


async def _seed_post(harness: Harness) -> None:
    await seed_posts(harness, 1)  # an image post: approving it leaves it a draft


async def _seed_suggestion(harness: Harness) -> None:
    await seed_suggestion(harness)


async def _seed_email(harness: Harness) -> None:
    await seed_emails(harness, 1)


async def _seed_reply(harness: Harness) -> None:
    harness.llm.reply(triage())
    harness.llm.reply(answer())
    intake = harness.bot.services.email_intake
    await intake.receive_fields(EMAIL, source=EmailSource.API, source_ref=None)
    await harness.said("Reply #1")


async def _post_unchanged(harness: Harness) -> None:
    row = await post(harness, 1)
    assert (row.status, row.approved_by) == ("draft", ADMIN)


async def _suggestion_unchanged(harness: Harness) -> None:
    assert (await suggestion(harness, 1)).status == "approved"


async def _email_unchanged(harness: Harness) -> None:
    row = await email(harness, 1)
    assert (row.status, row.approved_by) == ("approved", ADMIN)


async def _reply_unchanged(harness: Harness) -> None:
    assert (await harness.bot.services.replies.get(1)).status == "rejected"


@dataclass(frozen=True)
class Case:
    seed: Callable[[Harness], Awaitable[None]]
    card: str  # the chat card's text
    chat: str  # the chat's button
    app: QueueAction  # the app's action on its stale card
    now: str  # what the refusal says the item is now
    unchanged: Callable[[Harness], Awaitable[None]]


CASES = {
    "post": Case(_seed_post, "Candle story 1", "✅ Approve", A.REJECT,
                 "Post #1 changed since you opened it — it's now approved by Test",
                 _post_unchanged),
    "suggestion": Case(_seed_suggestion, "Cosy candle evening", "✅ Approve", A.REJECT,
                       "Suggestion #1 changed since you opened it — it's now approved by Test",
                       _suggestion_unchanged),
    "sequence_email": Case(_seed_email, "Daily tips · email #1", "✅ Approve", A.REJECT,
                           "Sequence email #1 changed since you opened it — it's now approved "
                           "by Test", _email_unchanged),
    "reply": Case(_seed_reply, "Reply #1", "🗑 Reject", A.APPROVE,
                  # A reply's chat buttons don't tell the queue who (handlers/replies).
                  "Reply #1 changed since you opened it — it's now rejected",
                  _reply_unchanged),
}  # fmt: skip


async def _seen(harness: Harness) -> QueueItem:
    (item,) = await queue(harness).items()
    return item


@pytest.mark.parametrize("name", list(CASES))
async def test_a_stale_app_card_cannot_undo_a_chat_decision(harness: Harness, name: str) -> None:
    case = CASES[name]
    await case.seed(harness)
    if name != "reply":  # a reply's card is sent to every admin when it is drafted
        harness.send("/approve")
    card_id = harness.message_id_of(await harness.said(case.card))
    seen = await _seen(harness)  # the app opened with the item waiting

    harness.tap(card_id, message_buttons(harness, card_id)[case.chat])  # the double's "Test"
    await harness.api.wait_for("answerCallbackQuery")
    await case.unchanged(harness)

    said: list[str] = []

    async def refused() -> bool:
        """The app's action on what it saw; the chat's handler names its decider to the
        queue just after it answers the tap, so until then the refusal has no name."""
        with pytest.raises(AlreadyDecided) as refusal:
            await queue(harness).decide(
                seen.kind, seen.id, case.app, OTHER_ADMIN, revision=seen.revision,
                status=seen.status, user_name="Ann",
            )  # fmt: skip
        said.append(str(refusal.value))
        return said[-1].startswith(case.now + ".")

    await eventually(refused, what=f"refused with {case.now!r}")
    assert said[-1] == f"{case.now}. Nothing was changed."
    await case.unchanged(harness)


async def test_a_current_app_card_still_decides(harness: Harness) -> None:
    """What the app saw is still so: the action goes through, as before."""
    await _seed_post(harness)
    seen = await _seen(harness)

    decision = await queue(harness).decide(
        ItemKind.POST, 1, A.REJECT, ADMIN, revision=seen.revision, status=seen.status
    )

    assert decision.status == "rejected"
