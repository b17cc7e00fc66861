"""ReviewQueue: /approve's items for the Mini App, and its decisions on them."""

from __future__ import annotations

import logging

from core.clock import Clock
from core.errors import AlreadyDecided, ValidationFailed
from core.review_queue.cards import CardLog
from core.review_queue.deciders import WHAT, Deciders, name_of
from core.review_queue.desks import Act, Desk, being_rewritten
from core.review_queue.images import QueueImages
from core.review_queue.ports import ChatCards, NoChat
from core.review_queue.reading import Readers, all_items
from core.review_queue.types import Decided, Decision, QueueAction, QueueItem
from domain.crew import ItemKind
from domain.email_replies import ReplyStatus
from domain.sequences import SequenceEmailStatus

log = logging.getLogger(__name__)
# An item's status while its model call runs: a sequence email's, a reply draft's.
BEING_WRITTEN = {SequenceEmailStatus.WRITING.value, ReplyStatus.DRAFTING.value}


class ReviewQueue:
    def __init__(
        self,
        readers: Readers,
        desks: dict[ItemKind, Desk],
        cards: CardLog,
        images: QueueImages,
        clock: Clock,
    ) -> None:
        self._readers = readers
        self._desks = desks
        self._clock = clock
        self._images = images
        self.cards = cards
        self._chat: ChatCards = NoChat()
        self._deciders = Deciders()

    def show_in(self, chat: ChatCards) -> None:
        """Called once the bot is up: decisions made here redraw the chat's cards."""
        self._chat = chat

    async def items(self) -> list[QueueItem]:
        """Exactly what /approve shows, in its order."""
        return await all_items(self._readers)

    async def decide(
        self,
        kind: ItemKind,
        item_id: int,
        action: QueueAction,
        user_id: int,
        *,
        text: str | None = None,
        revision: int | None = None,
        status: str | None = None,
        confirmed: bool = False,
        user_name: str | None = None,
    ) -> Decision:
        """Decide through the item's own service; then every chat card of it shows this.

        `revision`: the one the person saw (QueueItem.revision); a changed item is refused
        (AlreadyDecided). None acts on the item as it is now. `status`: the one the person
        saw (QueueItem.status); an item decided since (approved in a chat, say, which leaves
        a post's words and so its revision as they were) is refused (AlreadyDecided, saying
        what it is now and, when this process saw it happen, who did it). `user_name` is how
        the chat's cards name who decided ("by Ann"); without it, "by admin <user_id>".
        """
        desk = self._desks.get(kind)
        if desk is None:
            raise ValidationFailed([f"{kind} items are not reviewed in the queue."])
        act = Act(_action(action), item_id, user_id, text, confirmed)
        if status is not None:
            await self._still(act, kind, desk, status)
        seen = revision if revision is not None else await desk.revision(item_id)
        outcome = await desk.decide(act, seen)
        decision = Decision(kind, item_id, outcome.status, outcome.message)
        self._deciders.note(kind, item_id, act.action, name_of(user_id, user_name))
        await self._tell_chat(Decided(decision, act.action, user_id, user_name, self._clock.now()))
        if outcome.after is not None:
            outcome.after()
        return decision

    async def decided_in_chat(
        self,
        decision: Decision,
        action: QueueAction,
        user_id: int,
        user_name: str | None,
        card: tuple[int, int],
    ) -> None:
        """A chat card decided the item: the item's other cards (another admin's copy, an
        older /approve) show it too, rather than buttons that would only be refused."""
        at = self._clock.now()
        self._deciders.note(decision.kind, decision.id, action, name_of(user_id, user_name))
        await self._tell_chat(Decided(decision, action, user_id, user_name, at, in_chat=card))

    async def _still(self, act: Act, kind: ItemKind, desk: Desk, seen: str) -> None:
        """Refuse a decision made on a view older than the item's status."""
        item_id = act.item_id
        now = await desk.standing(item_id)
        if now == seen:
            return
        if now in BEING_WRITTEN:  # as the regenerate claim says it (core.inflight)
            raise being_rewritten(f"{WHAT[kind]} #{item_id}", act.action)
        by = self._deciders.of(kind, item_id, now)
        what = f"{now.replace('_', ' ')}{f' by {by}' if by else ''}"
        raise AlreadyDecided(f"{WHAT[kind]} #{item_id} changed since you opened it — it's now "
                             f"{what}. Nothing was changed.")  # fmt: skip

    async def image(self, image_id: int) -> tuple[bytes, str] | None:
        """A candidate image's bytes and content type; None if there is no such image."""
        return await self._images.read(image_id)

    async def _tell_chat(self, decided: Decided) -> None:
        """The decision is stored whatever happens here: a card that can't be redrawn
        (deleted, the chat blocked) is logged, never an error for the person deciding."""
        try:
            await self._chat.show_decision(decided)
        except Exception:
            log.exception(
                "chat cards not redrawn",
                extra={"kind": decided.decision.kind, "item_id": decided.decision.id},
            )


def _action(value: str) -> QueueAction:
    try:
        return QueueAction(value)
    except ValueError:
        known = ", ".join(action.value for action in QueueAction)
        raise ValidationFailed([f"Unknown action {value!r}; one of: {known}."]) from None
