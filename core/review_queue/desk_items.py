"""The desks of posts, suggestions, reply drafts and sequence emails."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

from core.emaildesk.reply_engine import ReplyEngine
from core.errors import AlreadyDecided, InvalidTransition
from core.inflight import CardKind, CardsInFlight
from core.posts.regenerate import PostRegenerator
from core.posts.service import PostService
from core.posts.views import PostView
from core.review_queue.desks import REPEATED, Act, Outcome, message_of, text_of, writing
from core.review_queue.types import QueueAction
from core.sequences.review import SequenceReview
from core.suggestions.service import SuggestionService
from domain import statuses as states

A = QueueAction
APPROVED = "approved"
S = states.PostStatus
WAITING_FOR_A_TIME = {S.DRAFT, S.AWAITING_IMAGE, S.READY}


class PostDesk:
    def __init__(
        self, posts: PostService, regenerator: PostRegenerator, cards: CardsInFlight
    ) -> None:
        self._posts = posts
        self._regenerator = regenerator
        self._cards = cards

    async def revision(self, item_id: int) -> int:
        return (await self._posts.get(item_id)).revision

    async def standing(self, item_id: int) -> str:
        return post_standing(await self._posts.get(item_id))

    async def decide(self, act: Act, revision: int) -> Outcome:
        posts, what = self._posts, f"Post #{act.item_id}"
        current = await posts.get(act.item_id)
        if current.revision != revision and not current.approved:
            # As the chat's Approve: never act on words the person did not see.
            raise AlreadyDecided(f"{what} changed since it was shown; check it again.")
        if act.action is A.APPROVE:
            view = await posts.approve(act.item_id, act.user_id, confirmed=act.confirmed)
        elif act.action is A.REJECT:
            view = await posts.reject(act.item_id, act.user_id)
        elif act.action is A.EDIT:
            if states.parse(current.status) not in states.EDITABLE:
                raise InvalidTransition(f"{what} is {current.status}; its caption is final.")
            view = await posts.replace_text(current, text_of(act), current.hashtags, act.user_id)
        else:
            async with writing(self._cards, CardKind.POST, act, what):
                redone = await self._regenerator.regenerate(act.item_id, revision, act.user_id)
            if redone.repeated:
                return Outcome(redone.view.status, REPEATED, redone.view.revision)
            view = redone.view
        return Outcome(view.status, message_of(act.action, what), view.revision)


def post_standing(view: PostView) -> str:
    """A post's status as the queue shows it: approval is a flag, not a status (an image
    post stays a draft), so an approved post reads "approved" while it waits for a time."""
    if view.approved and states.parse(view.status) in WAITING_FOR_A_TIME:
        return APPROVED
    return view.status


class _View(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def revision(self) -> int: ...


class _Deciding(Protocol):
    """A service whose every decision names the revision the person saw."""

    async def approve(
        self, item_id: int, revision: int, user_id: int, *, confirmed: bool = False
    ) -> _View: ...
    async def reject(self, item_id: int, revision: int, user_id: int) -> _View: ...


class _ByRevision(ABC):
    """Suggestions and sequence emails: approve and reject are the same calls on each
    service; edit and regenerate are each desk's own."""

    what = "Item"

    def __init__(self, service: _Deciding) -> None:
        self._service = service

    async def decide(self, act: Act, revision: int) -> Outcome:
        service, item, user = self._service, act.item_id, act.user_id
        if act.action is A.APPROVE:
            view = await service.approve(item, revision, user, confirmed=act.confirmed)
        elif act.action is A.REJECT:
            view = await service.reject(item, revision, user)
        elif act.action is A.EDIT:
            view = await self._edit(act, revision, text_of(act))
        else:
            redone = await self._regenerate(act, revision)
            if isinstance(redone, Outcome):
                return redone
            view = redone
        return Outcome(view.status, message_of(act.action, self._name(item)), view.revision)

    def _name(self, item_id: int) -> str:
        return f"{self.what} #{item_id}"

    @abstractmethod
    async def _edit(self, act: Act, revision: int, text: str) -> _View: ...

    @abstractmethod
    async def _regenerate(self, act: Act, revision: int) -> _View | Outcome:
        """The new view, or the whole outcome when nothing changed."""


class SuggestionDesk(_ByRevision):
    what = "Suggestion"

    def __init__(self, suggestions: SuggestionService, cards: CardsInFlight) -> None:
        super().__init__(suggestions)
        self._suggestions = suggestions
        self._cards = cards

    async def revision(self, item_id: int) -> int:
        return (await self._suggestions.get(item_id)).revision

    async def standing(self, item_id: int) -> str:
        return (await self._suggestions.get(item_id)).status

    async def _edit(self, act: Act, revision: int, text: str) -> _View:
        return await self._suggestions.edit_caption(act.item_id, revision, text, act.user_id)

    async def _regenerate(self, act: Act, revision: int) -> _View | Outcome:
        async with writing(self._cards, CardKind.SUGGESTION, act, self._name(act.item_id)):
            redone = await self._suggestions.regenerate(act.item_id, revision, act.user_id)
        if redone.repeated:
            return Outcome(redone.view.status, REPEATED, redone.view.revision)
        return redone.view


class ReplyDeskAdapter:
    """Reply drafts: approving hands the reply to the sender and regenerating to the
    engine's writer, both in the background, as the chat's buttons do."""

    def __init__(self, engine: ReplyEngine) -> None:
        self._engine = engine

    async def revision(self, item_id: int) -> int:
        return (await self._engine.desk.get(item_id)).revision

    async def standing(self, item_id: int) -> str:
        return (await self._engine.desk.get(item_id)).status.value

    async def decide(self, act: Act, revision: int) -> Outcome:
        desk, engine, item, user = self._engine.desk, self._engine, act.item_id, act.user_id
        what = f"Reply #{item}"
        if act.action is A.APPROVE:
            view = await desk.approve(item, revision, user, confirmed=act.confirmed)
            return Outcome(view.status.value, f"{what} approved ✅ — sending…", view.revision,
                           after=lambda: engine.send_soon(item))  # fmt: skip
        if act.action is A.REGENERATE:
            view = await engine.start_redo(item, revision, user)
            return Outcome(view.status.value, f"{what}: writing a new draft…", view.revision,
                           after=lambda: engine.redraft_soon(item))  # fmt: skip
        if act.action is A.REJECT:
            view = await desk.reject(item, revision, user)
        else:
            view = await desk.edit(item, revision, text_of(act), user)
        return Outcome(view.status.value, message_of(act.action, what), view.revision)


class EmailDesk(_ByRevision):
    what = "Sequence email"

    def __init__(self, review: SequenceReview, cards: CardsInFlight) -> None:
        super().__init__(review)
        self._review = review
        self._cards = cards

    async def revision(self, item_id: int) -> int:
        return (await self._review.email(item_id)).revision

    async def standing(self, item_id: int) -> str:
        return (await self._review.email(item_id)).status

    async def _edit(self, act: Act, revision: int, text: str) -> _View:
        return await self._review.edit(act.item_id, revision, act.user_id, body_text=text)

    async def _regenerate(self, act: Act, revision: int) -> _View | Outcome:
        # The writer's own claim (the email "writing") already stops a second call; this one
        # is the chat 🔄's, so either side is told the other is writing, in the same words.
        async with writing(self._cards, CardKind.SEQUENCE_EMAIL, act, self._name(act.item_id)):
            return await self._review.regenerate(act.item_id, revision, act.user_id)
