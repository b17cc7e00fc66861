"""/suggest as a use case: generate, edit, regenerate, approve and reject a suggestion.

The LLM call never runs inside a database transaction; the result is stored with a
conditional update, so a card edited or decided meanwhile is never overwritten.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.crew.types import Draft
from core.errors import AlreadyDecided, InvalidTransition, NotFound, ValidationFailed
from core.experiments import record as outcomes
from core.experiments.keys import item_key, request_key
from core.memory.record import MemoryRecorder, approval_event, suggestion_item
from core.memory.retrieval import PromptMemory
from core.posts.crew_gate import CrewGate, CrewState
from core.posts.service import ready_as_text
from core.redo import Redone, same_text
from core.suggestions import context
from core.suggestions.models import Page, SuggestionDraft, SuggestionView
from core.suggestions.ports import PromptRenderer, StructuredLLM
from domain.crew import ItemKind
from domain.formats import IMAGE_FORMAT
from domain.memory import MemoryEvent, MemoryKind
from domain.statuses import PostStatus
from storage.models import Suggestion
from storage.repos import posts as post_repo
from storage.repos import suggestions as repo

TEMPLATE = "suggest_post"
KIND = ItemKind.SUGGESTION
MAX_CAPTION = 2000
# What /suggest is shown of the past: posts and post ideas (they belong to no persona).
SUGGEST_MEMORY = (MemoryKind.POST, MemoryKind.SUGGESTION)


class SuggestionService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        prompts: PromptRenderer,
        llm: StructuredLLM,
        clock: Clock,
        tz: ZoneInfo,
        crew: CrewGate | None = None,
        memory: MemoryRecorder | None = None,
        recall: PromptMemory | None = None,
    ) -> None:
        self._sessions = session_factory
        self._prompts = prompts
        self._llm = llm
        self._clock = clock
        self._tz = tz
        # The review crew: scores on the card, the rewrite, the compliance gate on approve.
        self._crew = crew or CrewGate()
        # Semantic memory: decided suggestions (core/memory/record.py), and past posts
        # shown to the model (core/memory/retrieval.py).
        self._memory = memory or MemoryRecorder()
        self._recall = recall or PromptMemory()

    async def generate(self, *, chat_id: int, user_id: int, fresh: bool = False) -> SuggestionView:
        """`fresh` for a Retry the person asked for: the model is asked, never the cache."""
        draft, call_id = await self._ask(request_key(), fresh=fresh)
        async with self._sessions.begin() as session:
            row = await repo.insert(
                session,
                payload=draft.to_payload(),
                chat_id=chat_id,
                user_id=user_id,
                llm_call_id=call_id,
            )
            await outcomes.generated(session, KIND, row.id, call_id, self._clock.now())
            view = await _view(session, row)
        await self._crew.review(draft_of(view))
        return view

    async def regenerate(
        self, suggestion_id: int, revision: int, user_id: int
    ) -> Redone[SuggestionView]:
        """Another suggestion in place of this one: the model is told what was turned down and
        is always asked (never the cache). The same caption again is not stored."""
        current = await self._require_pending(suggestion_id, revision)
        rejected = SuggestionDraft.model_validate(current.payload)
        key = item_key(KIND, suggestion_id)
        draft, call_id = await self._ask(key, rejected=rejected, fresh=True)
        if same_text(draft.caption, rejected.caption):  # still refused if decided meanwhile
            return Redone(await self.pending_at(suggestion_id, revision), repeated=True)
        return Redone(await self._replace(suggestion_id, revision, draft, call_id))

    async def edit_caption(
        self, suggestion_id: int, revision: int, text: str, user_id: int
    ) -> SuggestionView:
        caption = text.strip()
        if not caption:
            raise ValidationFailed(["The new caption is empty."])
        if len(caption) > MAX_CAPTION:
            raise ValidationFailed(
                [f"The caption is {len(caption)} characters; {MAX_CAPTION} is the most."]
            )
        current = await self._require_pending(suggestion_id, revision)
        draft = SuggestionDraft.model_validate({**_payload_of(current), "caption": caption})
        return await self._replace(suggestion_id, revision, draft, None)

    async def approve(
        self, suggestion_id: int, revision: int, user_id: int, *, confirmed: bool = False
    ) -> SuggestionView:
        """Approve and create the draft post, in one transaction: both or neither.

        A compliance failure the crew found raises ComplianceUnconfirmed unless `confirmed`
        (the person checked it): then the confirmation is recorded and the approval goes on.
        """
        current = await self.pending_at(suggestion_id, revision)
        await self._crew.check_approval(draft_of(current), user_id, confirmed=confirmed)
        async with self._sessions.begin() as session:
            row = await self._decide(session, suggestion_id, revision, "approved", user_id)
            outcome = await outcomes.decided(
                session, KIND, row.id, "approved", self._clock.now(), user_id
            )
            draft = SuggestionDraft.model_validate(row.payload)
            post = await post_repo.create_draft(
                session,
                title=draft.title,
                caption=draft.caption,
                hashtags=draft.hashtags,
                scheduled_at=draft.when,
                # What the suggestion shows is the natural picture for it; the image flow
                # lets the person edit this prompt before anything is rendered.
                image_prompt=draft.what,
                suggestion_id=row.id,
                actor=f"user:{user_id}",
                created_by=user_id,
                format=IMAGE_FORMAT,
            )
            # The person approved exactly this content, so the post starts approved.
            post.approved_at, post.approved_by = row.decided_at, user_id
            view = await _view(session, row)
        await self._remember(view, approval_event(outcome))
        return view

    async def post_as_text(self, suggestion_id: int, user_id: int) -> int:
        """The approved suggestion's post goes out without an image: ready for its time.

        Returns the post's id. Refused once the post has moved on (an image run has it,
        or it is already ready or scheduled).
        """
        async with self._sessions.begin() as session:
            post_id = await repo.post_id_for(session, suggestion_id)
            if post_id is None:
                raise NotFound(f"Suggestion #{suggestion_id} has no post yet; approve it first.")
            at = self._clock.now()
            actor = f"user:{user_id}"
            if not await ready_as_text(session, post_id, actor=actor, at=at, convert=True):
                raise InvalidTransition(
                    _not_as_text(post_id, await repo.post_state(session, post_id))
                )
        return post_id

    async def reject(self, suggestion_id: int, revision: int, user_id: int) -> SuggestionView:
        async with self._sessions.begin() as session:
            row = await self._decide(session, suggestion_id, revision, "rejected", user_id)
            await outcomes.decided(session, KIND, row.id, "rejected", self._clock.now(), user_id)
            view = await _view(session, row)
        await self._remember(view, MemoryEvent.REJECTED)
        return view

    async def _remember(self, view: SuggestionView, event: MemoryEvent) -> None:
        at = self._clock.now()
        await self._memory.record(suggestion_item(view.id, view.caption, at, self._tz), event, at)

    async def crew(self, view: SuggestionView) -> CrewState:
        """The crew's review of the words `view` shows (requested now if there is none);
        for a decided suggestion its last review, and nothing new is asked."""
        return await self._crew.state(draft_of(view), ask=view.status == "pending")

    async def apply_rewrite(
        self, suggestion_id: int, revision: int, user_id: int
    ) -> SuggestionView:
        """✨ The optimizer's rewrite becomes the caption, through the edit path (same checks,
        same revision rule), and the new words are reviewed again."""
        current = await self.pending_at(suggestion_id, revision)
        text = await self._crew.rewrite(draft_of(current))
        return await self.edit_caption(suggestion_id, revision, text, user_id)

    async def get(self, suggestion_id: int) -> SuggestionView:
        async with self._sessions() as session:
            return await _view(session, await _get(session, suggestion_id))

    async def pending_at(self, suggestion_id: int, revision: int) -> SuggestionView:
        """The suggestion if it is still pending at this revision: what a card's tap acts on.

        Raises AlreadyDecided (decided, or changed since the card was drawn) or NotFound.
        """
        async with self._sessions() as session:
            row = await _get(session, suggestion_id)
            if row.status != "pending" or row.revision != revision:
                raise _lost_race(row)
            return await _view(session, row)

    async def pending(self, *, offset: int, limit: int) -> Page:
        async with self._sessions() as session:
            rows, total = await repo.list_pending(session, offset=offset, limit=limit)
            items = tuple([await _view(session, row) for row in rows])
        return Page(items=items, offset=offset, total=total)

    async def _ask(
        self, variant_key: str, *, rejected: SuggestionDraft | None = None, fresh: bool = False
    ) -> tuple[SuggestionDraft, int | None]:
        now = self._clock.now()
        async with self._sessions() as session:
            variables = await context.gather(session, now=now, tz=self._tz)
        if rejected is not None:
            variables["rejected"] = rejected.model_dump(include={"title", "what", "caption"})
        recalled = await self._recall.recall(
            context.about(variables), persona_id=None, kinds=SUGGEST_MEMORY
        )
        variables["memory"] = recalled.text
        request = self._prompts.render(TEMPLATE, variables, variant_key=variant_key)
        request = replace(request, fresh=fresh, retrieval=recalled.retrieval)
        result = await self._llm.generate(request, SuggestionDraft)
        return self._in_future(result.value, now), result.call_id

    def _in_future(self, draft: SuggestionDraft, now: datetime) -> SuggestionDraft:
        """Read a zone-less time in the user's zone; move a past time to its next occurrence.

        Small models often propose "today 09:00" after 09:00; a day later keeps their intent.
        """
        when = draft.when if draft.when.tzinfo else draft.when.replace(tzinfo=self._tz)
        if when <= now:
            # Keep the wall-clock time the model meant, on the next day it is still ahead.
            today = now.astimezone(self._tz).date()
            when = datetime.combine(today, draft.when.time(), tzinfo=self._tz)
            if when <= now:
                when = datetime.combine(today + timedelta(days=1), draft.when.time(), self._tz)
        return draft.model_copy(update={"when": when})

    async def _replace(
        self, suggestion_id: int, revision: int, draft: SuggestionDraft, call_id: int | None
    ) -> SuggestionView:
        async with self._sessions.begin() as session:
            changed = await repo.replace_payload(
                session, suggestion_id, revision, draft.to_payload(), call_id
            )
            row = await _get(session, suggestion_id)
            if not changed:
                raise _lost_race(row)
            await outcomes.replaced(session, KIND, suggestion_id, call_id, self._clock.now())
            view = await _view(session, row)
        await self._crew.review(draft_of(view))
        return view

    async def _require_pending(self, suggestion_id: int, revision: int) -> Suggestion:
        async with self._sessions() as session:
            row = await _get(session, suggestion_id)
        if row.status != "pending" or row.revision != revision:
            raise _lost_race(row)
        return row

    async def _decide(
        self, session: AsyncSession, suggestion_id: int, revision: int, status: str, user_id: int
    ) -> Suggestion:
        decided = await repo.decide(
            session, suggestion_id, revision, status=status, user_id=user_id, at=self._clock.now()
        )
        if decided is None:
            raise _lost_race(await _get(session, suggestion_id))
        return decided


def draft_of(view: SuggestionView) -> Draft:
    """The suggestion as the crew reads it: it becomes an image post, so a caption."""
    return Draft(
        kind=ItemKind.SUGGESTION, item_id=view.id, text=view.caption, title=view.title,
        hashtags=list(view.hashtags), channel="telegram_caption", image_prompt=view.what,
    )  # fmt: skip


def _not_as_text(post_id: int, state: tuple[str, bool] | None) -> str:
    if state is None:
        return f"Post #{post_id} no longer exists."
    status, approved = state
    if status == PostStatus.DRAFT and not approved:
        return f"Post #{post_id} was edited since it was approved: approve it in /approve first."
    return f"Post #{post_id} is {status}, so it stays as it is."


def _payload_of(row: Suggestion) -> dict[str, object]:
    return dict(row.payload)


def _lost_race(row: Suggestion) -> AlreadyDecided:
    if row.status != "pending":
        return AlreadyDecided(f"Suggestion #{row.id} was already {row.status}.")
    return AlreadyDecided(f"Suggestion #{row.id} changed meanwhile; here is the current version.")


async def _get(session: AsyncSession, suggestion_id: int) -> Suggestion:
    row = await repo.get(session, suggestion_id)
    if row is None:
        raise NotFound(f"Suggestion #{suggestion_id} does not exist.")
    return row


async def _view(session: AsyncSession, row: Suggestion) -> SuggestionView:
    post_id = await repo.post_id_for(session, row.id) if row.status == "approved" else None
    return SuggestionView.from_payload(
        id=row.id,
        status=row.status,
        revision=row.revision,
        payload=row.payload,
        created_at=row.created_at,
        decided_by=row.decided_by,
        post_id=post_id,
    )
