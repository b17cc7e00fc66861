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
from core.errors import AlreadyDecided, InvalidTransition, NotFound
from core.posts.views import PostPage, PostView, TransitionView
from domain import statuses as states
from domain.formats import TEXT_FORMAT, check_caption
from domain.statuses import PostStatus
from storage.repos import campaigns as campaign_repo
from storage.repos import posts as repo

log = logging.getLogger(__name__)

MAX_PAGE = 100


class PostService:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = session_factory
        self._clock = clock

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
                await campaign_repo.follow_review(
                    session, post_id, status=REJECTED, user_id=_user_of(actor), at=at
                )
            return await _view(session, post_id)

    async def reject(self, post_id: int, user_id: int) -> PostView:
        return await self.transition(post_id, PostStatus.REJECTED, actor=f"user:{user_id}")

    async def approve(self, post_id: int, user_id: int) -> PostView:
        """A human approved this content. A flag, not a status: the post keeps moving.

        An approved text post lacks nothing, so it becomes ready (to be given a time) in
        the same transaction: it can never be left approved but stuck as a draft. (Image
        posts become ready when their image is picked.)
        """
        actor = f"user:{user_id}"
        async with self._sessions.begin() as session:
            at = self._clock.now()
            approved = await repo.set_approved(
                session, post_id, user_id=user_id, at=at, approvable=states.APPROVABLE
            )
            if approved:
                await ready_as_text(session, post_id, actor=actor, at=at)
                await campaign_repo.follow_review(
                    session, post_id, status=ACCEPTED, user_id=user_id, at=at
                )
            view = await _view(session, post_id)
        if not approved:
            raise _approval_refused(view)
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
            view = await _view(session, post_id)
        if not changed:
            raise InvalidTransition(f"Post #{post_id} is {view.status}; its caption is final.")
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
        self, seen: PostView, caption: str, hashtags: Sequence[str], user_id: int
    ) -> PostView:
        """New caption and hashtags, only if the post still shows what `seen` showed.

        Like edit_caption, an earlier approval is withdrawn: it was for other words.
        """
        tags = list(hashtags)
        text = check_caption(caption, seen.format, tags)
        async with self._sessions.begin() as session:
            changed = await repo.replace_text(
                session, seen.id, seen=_shown(seen), caption=text, hashtags=tags,
                at=self._clock.now(), editable=states.EDITABLE,
            )  # fmt: skip
            view = await _view(session, seen.id)
        if not changed:
            raise _text_refused(view)
        log.info("post text replaced", extra={"post_id": seen.id, "user_id": user_id})
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
