"""Every change to a post goes through here: status moves, approval, caption edits.

Each change is one conditional UPDATE (`WHERE id = :id AND status = :from`) plus, for a
status move, its post_transitions row, in the same transaction: two taps at once give one
change, and the loser is told what happened instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.campaigns.views import ACCEPTED, REJECTED
from core.clock import Clock
from core.crew.types import Draft
from core.errors import AlreadyDecided, InvalidTransition, NotFound, ValidationFailed
from core.experiments import record as outcomes
from core.memory.record import MemoryRecorder, approval_event, post_item
from core.posts.crew_gate import CrewGate, CrewState
from core.posts.views import PostPage, PostView, TransitionView
from domain import statuses as states
from domain.crew import ItemKind
from domain.formats import TEXT_FORMAT, check_caption, limit_for
from domain.memory import MemoryEvent
from domain.statuses import PostStatus
from storage.repos import campaigns as campaign_repo
from storage.repos import posts as repo

log = logging.getLogger(__name__)

MAX_PAGE = 100
KIND = ItemKind.POST
MAX_IMAGE_PROMPT = 4000  # what the crew's Draft takes; the prompt is context, not judged
# Moves remembered as they happen (approval is a flag, remembered in approve()).
REMEMBERED_MOVES = {
    PostStatus.REJECTED: MemoryEvent.REJECTED,
    PostStatus.PUBLISHED: MemoryEvent.PUBLISHED,
}
# Not ready to publish: their time is a plan (a ready post is too until it is approved).
PLANNED_ONLY = frozenset({PostStatus.DRAFT, PostStatus.AWAITING_IMAGE})
NO_DESIGN_PROMPT = (
    "The review crew's design advisor has no new image prompt for post #{post_id} "
    "(not reviewed yet, none proposed, or it is the post's image prompt already)."
)


class PostService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        crew: CrewGate | None = None,
        memory: MemoryRecorder | None = None,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        # The review crew: scores on the card, the rewrite, the compliance gate on approve.
        self._crew = crew or CrewGate()
        # Semantic memory: approved, rejected and published posts (core/memory/record.py).
        self._memory = memory or MemoryRecorder()

    async def get(self, post_id: int) -> PostView:
        async with self._sessions() as session:
            return await _view(session, post_id)

    async def transition(
        self,
        post_id: int,
        to: PostStatus | str,
        *,
        actor: str,
        expected: PostStatus | str | None = None,
    ) -> PostView:
        """Move the post to `to`, from `expected` if given, else from wherever it is now.

        Raises InvalidTransition when the table forbids the move, AlreadyDecided when the
        post is already there or another change won the race.
        """
        target = states.parse(str(to))
        current = await self._current(post_id, expected)
        _check_move(post_id, current, target)
        async with self._sessions.begin() as session:
            at = self._clock.now()
            moved = await repo.move(session, post_id, from_status=current, to_status=target, at=at)
            if not moved:
                raise await _lost_race(session, post_id, target)
            await repo.add_transition(
                session, post_id, from_status=current, to_status=target, actor=actor, at=at
            )
            if target == PostStatus.REJECTED:
                await outcomes.decided(session, KIND, post_id, "rejected", at, _user_of(actor))
                await campaign_repo.follow_review(
                    session, post_id, status=REJECTED, user_id=_user_of(actor), at=at
                )
            view = await _view(session, post_id)
        if target in REMEMBERED_MOVES:
            await self.remember(view, REMEMBERED_MOVES[target], at)
        return view

    async def remember(self, view: PostView, event: MemoryEvent, at: datetime) -> None:
        """The post's caption into semantic memory (never raises)."""
        item = post_item(view.id, view.persona_id, view.caption, at, self._memory.tz)
        await self._memory.record(item, event, at)

    async def reject(self, post_id: int, user_id: int) -> PostView:
        return await self.transition(post_id, PostStatus.REJECTED, actor=f"user:{user_id}")

    async def approve(self, post_id: int, user_id: int, *, confirmed: bool = False) -> PostView:
        """A human approved this content. A flag, not a status: the post keeps moving.

        An approved text post lacks nothing, so it becomes ready (to be given a time) in
        the same transaction: it can never be left approved but stuck as a draft. (Image
        posts become ready when their image is picked.)

        A compliance failure the crew found raises ComplianceUnconfirmed unless `confirmed`
        (the person checked it): then the confirmation is recorded and the approval goes on.
        """
        current = await self.get(post_id)
        if not current.approved and states.parse(current.status) in states.APPROVABLE:
            await self._crew.check_approval(draft_of(current), user_id, confirmed=confirmed)
        actor = f"user:{user_id}"
        async with self._sessions.begin() as session:
            at = self._clock.now()
            approved = await repo.set_approved(
                session, post_id, user_id=user_id, at=at, approvable=states.APPROVABLE
            )
            outcome = None
            if approved:
                await ready_as_text(session, post_id, actor=actor, at=at)
                outcome = await outcomes.decided(session, KIND, post_id, "approved", at, user_id)
                await campaign_repo.follow_review(
                    session, post_id, status=ACCEPTED, user_id=user_id, at=at
                )
            view = await _view(session, post_id)
        if not approved:
            raise _approval_refused(view)
        await self.remember(view, approval_event(outcome), at)
        return view

    async def edit_caption(self, post_id: int, text: str, user_id: int) -> PostView:
        """Replace the caption; an earlier approval is withdrawn, since it was for other words."""
        current = await self.get(post_id)
        caption = check_caption(text, current.format, current.hashtags)
        async with self._sessions.begin() as session:
            changed = await repo.set_caption(
                session, post_id, caption=caption, at=self._clock.now(),
                editable=states.EDITABLE,
            )  # fmt: skip
            if changed:
                await outcomes.edited(session, KIND, post_id)
            view = await _view(session, post_id)
        if not changed:
            raise InvalidTransition(f"Post #{post_id} is {view.status}; its caption is final.")
        await self._crew.review(draft_of(view))
        return view

    async def editable_at(self, post_id: int, revision: int) -> PostView:
        """The post, if its card at `revision` is current and its words may still change."""
        view = await self.get(post_id)
        if view.revision != revision:
            raise AlreadyDecided(f"Post #{post_id} changed since this card was shown.")
        if states.parse(view.status) not in states.EDITABLE:
            raise InvalidTransition(f"Post #{post_id} is {view.status}; its caption is final.")
        return view

    async def replace_text(
        self,
        seen: PostView,
        caption: str,
        hashtags: Sequence[str],
        user_id: int,
        *,
        llm_call_id: int | None = None,
    ) -> PostView:
        """New caption and hashtags, only if the post still shows what `seen` showed.

        Like edit_caption, an earlier approval is withdrawn: it was for other words.
        `llm_call_id`: the call that wrote the text (a regeneration); None for a person's.
        """
        tags = list(hashtags)
        text = check_caption(caption, seen.format, tags)
        async with self._sessions.begin() as session:
            changed = await repo.replace_text(
                session, seen.id, seen=_shown(seen), caption=text, hashtags=tags,
                at=self._clock.now(), editable=states.EDITABLE,
            )  # fmt: skip
            if changed:
                await outcomes.replaced(session, KIND, seen.id, llm_call_id, self._clock.now())
            view = await _view(session, seen.id)
        if not changed:
            raise _text_refused(view)
        log.info("post text replaced", extra={"post_id": seen.id, "user_id": user_id})
        await self._crew.review(draft_of(view))
        return view

    async def crew(self, view: PostView) -> CrewState:
        """The crew's review of the words `view` shows (requested now if there is none yet:
        posts a campaign or the API created are reviewed when first shown). A post whose
        words are final shows its last review, and nothing new is asked."""
        editable = states.parse(view.status) in states.EDITABLE
        return await self._crew.state(draft_of(view), ask=editable)

    async def apply_rewrite(self, post_id: int, revision: int, user_id: int) -> PostView:
        """✨ The optimizer's rewrite becomes the caption, through the edit path: only on the
        card's revision, an earlier approval withdrawn, and the new words reviewed again."""
        seen = await self.editable_at(post_id, revision)
        text = await self._crew.rewrite(draft_of(seen))
        return await self.replace_text(seen, text, seen.hashtags, user_id)

    async def use_design_prompt(self, post_id: int, revision: int, user_id: int) -> PostView:
        """🎨 The design advisor's first image prompt becomes the post's image prompt, by the
        edit rules: only on the card's revision while the post may change, one change however
        many taps (a conditional update on what the card showed), an earlier approval
        withdrawn (it was for what the card showed). The post is then reviewed again: the
        design advisor judges the image prompt too. "🖼 Generate images" sends it to ComfyUI.
        """
        seen = await self.editable_at(post_id, revision)
        prompt = offered_design_prompt(seen, await self.crew(seen))
        if prompt is None:
            raise InvalidTransition(NO_DESIGN_PROMPT.format(post_id=post_id))
        async with self._sessions.begin() as session:
            changed = await repo.set_image_prompt(
                session, post_id, seen=_shown(seen), image_prompt=prompt,
                at=self._clock.now(), editable=states.EDITABLE,
            )  # fmt: skip
            view = await _view(session, post_id)
        if not changed:
            raise _prompt_refused(view)
        log.info("post image prompt from the design advisor",
                 extra={"post_id": post_id, "user_id": user_id})  # fmt: skip
        await self._crew.review(draft_of(view))
        return view

    async def replan(self, post_id: int, at: datetime, user_id: int, *, seen: str) -> PostView:
        """Move the planned time of a post nobody may schedule yet (a draft, one waiting for
        its image, an unapproved ready post); it stays what it is. `seen`: the status the
        person moved it in; a change since (approved and ready now, say) is refused.
        Scheduling (core.publishing) moves the others."""
        if at <= self._clock.now():
            raise ValidationFailed(["That time has already passed. Send a time ahead."])
        current = await self.get(post_id)
        if current.status != seen:
            raise AlreadyDecided(f"Post #{post_id} changed meanwhile; it is {current.status} now.")
        if not plannable(current):
            raise InvalidTransition(f"Post #{post_id} is {current.status}; use /schedule.")
        async with self._sessions.begin() as session:
            moved = await repo.set_planned_time(
                session, post_id, at=at, from_status=seen, now=self._clock.now()
            )
            view = await _view(session, post_id)
        if not moved:
            raise AlreadyDecided(f"Post #{post_id} changed meanwhile; it is {view.status} now.")
        log.info("post planned time moved", extra={"post_id": post_id, "user_id": user_id})
        return view

    async def mark_seen(self, post_ids: Iterable[int]) -> int:
        """Record that a reviewer was shown these posts; returns how many were new."""
        async with self._sessions.begin() as session:
            return await repo.mark_seen(session, post_ids, at=self._clock.now())

    async def pending_review(
        self, *, offset: int = 0, limit: int = 10, campaign_id: int | None = None
    ) -> PostPage:
        """Unapproved, unrejected posts not yet out, oldest first."""
        offset, limit = max(0, offset), min(max(1, limit), MAX_PAGE)
        async with self._sessions() as session:
            rows, total = await repo.unapproved(
                session, statuses=states.APPROVABLE, offset=offset, limit=limit,
                campaign_id=campaign_id,
            )  # fmt: skip
        items = tuple(PostView.from_row(row) for row in rows)
        return PostPage(items=items, offset=offset, total=total)

    async def campaign_posts(self, campaign_id: int) -> tuple[PostView, ...]:
        """Every post of a campaign in publishing order, each with its `seen` flag."""
        async with self._sessions() as session:
            rows = await repo.for_campaign(session, campaign_id)
        return tuple(PostView.from_row(row) for row in rows)

    async def history(self, post_id: int) -> tuple[TransitionView, ...]:
        async with self._sessions() as session:
            await _view(session, post_id)
            rows = await repo.transitions(session, post_id)
        return tuple(TransitionView.from_row(row) for row in rows)

    async def _current(self, post_id: int, expected: PostStatus | str | None) -> PostStatus:
        async with self._sessions() as session:
            found = await repo.status_of(session, post_id)
        if found is None:
            raise NotFound(f"Post #{post_id} does not exist.")
        current = states.parse(found)
        if expected is not None and current != states.parse(str(expected)):
            raise AlreadyDecided(f"Post #{post_id} is {current} now, no longer {expected}.")
        return current


async def ready_as_text(
    session: AsyncSession, post_id: int, *, actor: str, at: datetime, convert: bool = False
) -> bool:
    """An approved text draft (with `convert`: any approved draft, which becomes a text
    post) moves to ready, with its transition row, in the caller's transaction."""
    moved = await repo.make_text_ready(
        session, post_id, at=at, text_format=TEXT_FORMAT, convert=convert
    )
    if moved:
        await repo.add_transition(
            session, post_id, from_status=PostStatus.DRAFT, to_status=PostStatus.READY,
            actor=actor, at=at,
        )  # fmt: skip
    return moved


def plannable(view: PostView) -> bool:
    """Its time is only a plan, which `replan` moves: nobody may schedule it yet."""
    status = states.parse(view.status)
    if status == PostStatus.READY:
        return not view.approved
    return status in PLANNED_ONLY


def draft_of(view: PostView) -> Draft:
    """The post as the crew reads it; a media post's caption has the caption's limit."""
    caption_limit = limit_for(view.format) < limit_for(TEXT_FORMAT)
    return Draft(
        kind=ItemKind.POST, item_id=view.id, text=view.caption, title=view.title,
        hashtags=list(view.hashtags), persona_id=view.persona_id,
        channel="telegram_caption" if caption_limit else "telegram",
        image_prompt=(view.image_prompt or "")[:MAX_IMAGE_PROMPT],
    )  # fmt: skip


def offered_design_prompt(view: PostView, state: CrewState) -> str | None:
    """The design advisor's first image prompt when using it can change something: the post
    may still change, it gets a picture at all (not a text post), and the prompt is new."""
    prompt = state.design_prompt
    if prompt is None or view.format == TEXT_FORMAT:
        return None
    if states.parse(view.status) not in states.EDITABLE:
        return None
    if prompt == (view.image_prompt or "").strip():
        return None
    return prompt[:MAX_IMAGE_PROMPT]


def _user_of(actor: str) -> int | None:
    """The Telegram user id in "user:<id>"; None for the dispatcher, the API and the like."""
    kind, _, value = actor.partition(":")
    return int(value) if kind == "user" and value.isdigit() else None


def _check_move(post_id: int, current: PostStatus, target: PostStatus) -> None:
    if current == target:
        raise AlreadyDecided(f"Post #{post_id} is already {target}.")
    if not states.is_allowed(current, target):
        raise InvalidTransition(states.refusal(post_id, current, target))


async def _lost_race(session: AsyncSession, post_id: int, target: PostStatus) -> AlreadyDecided:
    now = await repo.status_of(session, post_id)
    if now == target:
        return AlreadyDecided(f"Post #{post_id} is already {target}.")
    return AlreadyDecided(f"Post #{post_id} changed meanwhile; it is {now} now.")


def _shown(view: PostView) -> repo.ShownText:
    return repo.ShownText(
        title=view.title, caption=view.caption, hashtags=list(view.hashtags),
        image_prompt=view.image_prompt, format=view.format,
    )  # fmt: skip


def _text_refused(view: PostView) -> Exception:
    if states.parse(view.status) not in states.EDITABLE:
        return InvalidTransition(f"Post #{view.id} is {view.status}; its caption is final.")
    return AlreadyDecided(f"Post #{view.id} changed meanwhile; the new text was not stored.")


def _prompt_refused(view: PostView) -> Exception:
    if states.parse(view.status) not in states.EDITABLE:
        return InvalidTransition(f"Post #{view.id} is {view.status}; it can't change any more.")
    return AlreadyDecided(f"Post #{view.id} changed meanwhile; its image prompt was not changed.")


def _approval_refused(view: PostView) -> Exception:
    if view.status == PostStatus.REJECTED:
        return InvalidTransition(f"Post #{view.id} was rejected; it can't be approved.")
    if view.approved:
        return AlreadyDecided(f"Post #{view.id} was already approved.")
    return InvalidTransition(f"Post #{view.id} is {view.status}; it can't be approved any more.")


async def _view(session: AsyncSession, post_id: int) -> PostView:
    row = await repo.get(session, post_id)
    if row is None:
        raise NotFound(f"Post #{post_id} does not exist.")
    return PostView.from_row(row)
