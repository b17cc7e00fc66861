"""One desk per kind of item: a queue decision through the item's own service.

Nothing is decided here: every change is the service's conditional update (the same one
the chat's buttons use), so the Mini App and a chat card racing for an item make one
transition, and the loser gets the service's AlreadyDecided.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from core.errors import AlreadyDecided, ValidationFailed
from core.inflight import CardKind, CardsInFlight
from core.review_queue.types import QueueAction

A = QueueAction
REPEATED = "The model wrote the same words again; nothing changed."
# An app regenerate's claim names no chat message (core.inflight wants one): 0 is none, so
# a restart that finds it left over can redraw nothing and just releases it.
NO_MESSAGE = 0


@dataclass(frozen=True)
class Act:
    action: QueueAction
    item_id: int
    user_id: int
    text: str | None
    confirmed: bool


@dataclass(frozen=True)
class Outcome:
    status: str
    message: str
    revision: int
    # Background work to start once the chat's cards show the decision (a reply's send,
    # its new draft), so their redraw comes after "Sending…", never under it.
    after: Callable[[], None] | None = None


class Desk(Protocol):
    async def revision(self, item_id: int) -> int:
        """The item's current revision (NotFound if there is no such item)."""
        ...

    async def standing(self, item_id: int) -> str:
        """The item's status as the queue shows it (QueueItem.status), to compare with the
        one a person saw: a post's approval, a flag on the post, counts as "approved"."""
        ...

    async def decide(self, act: Act, revision: int) -> Outcome:
        """`revision`: the one the person saw (the current one if they did not say)."""
        ...


def text_of(act: Act) -> str:
    """An edit's new text; an edit without one is bad input (nothing is changed)."""
    if act.text is None or not act.text.strip():
        raise ValidationFailed(['An edit needs the new text ("text").'])
    return act.text


def message_of(action: QueueAction, what: str) -> str:
    return {
        A.APPROVE: f"{what} approved ✅",
        A.REJECT: f"{what} rejected 🗑",
        A.EDIT: f"{what} edited ✏️",
        A.REGENERATE: f"{what} regenerated 🔄",
    }[action]


def being_rewritten(what: str, action: QueueAction) -> AlreadyDecided:
    """The item's model call is under way (a regenerate here or in a chat)."""
    done = "nothing else was started" if action is A.REGENERATE else "nothing was changed"
    return AlreadyDecided(f"{what} is being rewritten already (here or in a chat); {done}.")


@asynccontextmanager
async def writing(cards: CardsInFlight, kind: CardKind, act: Act, what: str) -> AsyncIterator[None]:
    """The chat's one-model-call claim (core.inflight), held while the app regenerates: a
    chat 🔄 and an app regenerate at once make one model call; the second is refused."""
    claim = await cards.claim(
        kind, act.item_id, chat_id=act.user_id, message_id=NO_MESSAGE, user_id=act.user_id
    )
    if claim is None:
        raise being_rewritten(what, act.action)
    try:
        yield
    finally:
        await cards.release(claim)
