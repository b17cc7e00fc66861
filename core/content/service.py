"""Briefs in, the crew's content out: create, follow, list, and turn into a post draft.

A brief is stored as `processing`, then handed to the crew (core.crew: the creator writes,
brand/compliance/design review concurrently, the optimizer rewrites). The crew's row
holds the run; this row is settled from it the first time anyone looks after the run
finished (the REST wait, GET, the list, /write's progress message), by a conditional
UPDATE, so two readers on two replicas settle it once and nothing needs a callback that a
restart could lose.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.brands.views import BrandView
from core.clock import Clock
from core.content.ports import Brands, Crew
from core.content.post_draft import post_values
from core.content.records import view_of
from core.content.requests import ContentRequest
from core.content.results import settled_values
from core.content.views import ContentView
from core.crew.types import Draft
from core.errors import AlreadyDecided, FeatureOff, InvalidTransition, NotFound, ValidationFailed
from core.memory.record import MemoryRecorder, content_item
from domain.content import CHANNEL_OF, ContentStatus
from domain.crew import ItemKind
from domain.memory import MemoryEvent
from storage.models import CrewContent
from storage.repos import contents as repo
from storage.repos import posts as post_repo

CREW_OFF = (
    "The review crew is off, so nothing can be written from a brief: set CREW_ENABLED=true "
    "and LLM_MODEL, and switch the brand's crew on in /brand."
)
KIND = ItemKind.CONTENT


class ContentService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        crew: Crew,
        brands: Brands,
        memory: MemoryRecorder | None = None,
    ) -> None:
        # Semantic memory: a piece kept (made into a post) is remembered as approved.
        self._memory = memory or MemoryRecorder()
        self._sessions = session_factory
        self._clock = clock
        self._crew = crew
        self._brands = brands

    async def create(
        self, request: ContentRequest, *, source: str, created_by: int | None = None
    ) -> ContentView:
        """Store the brief and queue the crew; FeatureOff (nothing kept) when it is off."""
        brand = await self._brand(request.brand_id)
        async with self._sessions.begin() as session:
            row = await repo.insert(session, self._new_values(request, brand, source, created_by))
            content_id = row.id
        return await self._hand_over(content_id, request, brand)

    async def retry(self, content_id: int, user_id: int) -> ContentView:
        """The failed piece's brief once more, as new content: once, whoever taps first."""
        failed = await self.get_by_id(content_id)
        if failed.status != ContentStatus.FAILED:
            raise InvalidTransition("Only a piece the crew could not write can be tried again.")
        request = ContentRequest(failed.brief, failed.brand_id)
        brand = await self._brand(failed.brand_id)
        async with self._sessions.begin() as session:
            row = await repo.insert(session, self._new_values(request, brand, "telegram", user_id))
            new_id = row.id
            if not await repo.link_retry(session, content_id, new_id):
                # Rolls this transaction (and the row just inserted) back.
                raise AlreadyDecided(f"Content #{content_id} is being tried again already.")
        return await self._hand_over(new_id, request, brand)

    async def _hand_over(
        self, content_id: int, request: ContentRequest, brand: BrandView | None
    ) -> ContentView:
        """Queue the crew for a stored brief. With the crew off, or when queueing fails, the
        brief is not kept: a row no crew run will ever settle would stay `processing`."""
        try:
            review = await self._crew.request(_draft(content_id, request, brand))
        except BaseException:
            await self._forget(content_id)
            raise
        if review is None:
            await self._forget(content_id)
            raise FeatureOff(CREW_OFF)
        return await self.get_by_id(content_id)

    async def _forget(self, content_id: int) -> None:
        async with self._sessions.begin() as session:
            await repo.delete(session, content_id)

    async def get(self, public_id: str) -> ContentView:
        async with self._sessions() as session:
            row = await repo.by_public_id(session, public_id)
        if row is None:
            raise NotFound(f"Campaign {public_id[:40]!r} does not exist.")
        return await self._settled(row)

    async def get_by_id(self, content_id: int) -> ContentView:
        async with self._sessions() as session:
            row = await repo.get(session, content_id)
        if row is None:
            raise NotFound(f"Content #{content_id} does not exist.")
        return await self._settled(row)

    async def recent(self, *, offset: int, limit: int) -> tuple[ContentView, ...]:
        async with self._sessions() as session:
            rows = await repo.recent(session, offset=offset, limit=limit)
        return tuple([await self._settled(row) for row in rows])

    async def make_post(self, content_id: int, user_id: int) -> int:
        """The draft post made from it; a second tap (or admin) gets the same post."""
        view = await self.get_by_id(content_id)
        if view.post_id is not None:
            return view.post_id
        values = post_values(view)
        try:
            post_id = await self._new_post(content_id, values, user_id)
        except _LostRace:
            winner = (await self.get_by_id(content_id)).post_id
            assert winner is not None  # the race was lost to exactly this link
            return winner
        await self._remember(view)
        return post_id

    async def _remember(self, view: ContentView) -> None:
        """A piece someone kept (made into a post) into semantic memory (never raises)."""
        at = self._clock.now()
        brand = await self._brand(view.brand_id) if view.brand_id is not None else None
        persona_id = brand.persona_id if brand is not None else None
        kind_name = view.brief.content_type.value
        item = content_item(view.id, persona_id, kind_name, view.content, at, self._memory.tz)
        await self._memory.record(item, MemoryEvent.APPROVED, at)

    async def _new_post(self, content_id: int, values: dict[str, Any], user_id: int) -> int:
        async with self._sessions.begin() as session:
            post = await post_repo.create_draft(
                session, **values, scheduled_at=None, suggestion_id=None,
                actor=f"user:{user_id}", created_by=user_id,
            )  # fmt: skip
            if not await repo.link_post(session, content_id, post.id):
                raise _LostRace  # rolls this transaction, and its post, back
            return post.id

    async def wait(self, content_id: int, timeout_s: float, poll_s: float = 0.25) -> ContentView:
        """The content once finished, or as it is when `timeout_s` runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        view = await self.get_by_id(content_id)
        while not view.finished and loop.time() < deadline:
            await asyncio.sleep(min(poll_s, max(0.0, deadline - loop.time())))
            view = await self.get_by_id(content_id)
        return view

    async def _brand(self, brand_id: int | None) -> BrandView | None:
        if brand_id is None:
            return await self._brands.view_for_persona(None)
        try:
            return await self._brands.get(brand_id)
        except NotFound:
            raise ValidationFailed([f"brand_id: there is no brand {brand_id}"]) from None

    def _new_values(
        self, request: ContentRequest, brand: BrandView | None, source: str, user: int | None
    ) -> dict[str, Any]:
        brief, now = request.brief, self._clock.now()
        return {
            "public_id": "cmp_" + secrets.token_hex(12),
            "campaign_brief": brief.campaign_brief,
            "target_audience": brief.target_audience,
            "content_type": brief.content_type.value,
            "brand_id": brand.brand_id if brand is not None else None,
            "brand_name": brand.name if brand is not None else None,
            "source": source,
            "created_by": user,
            "created_at": now,
            "updated_at": now,
        }

    async def _settled(self, row: CrewContent) -> ContentView:
        """The row as it is, settled first if the crew has finished with it."""
        review = await self._crew.latest(KIND, row.id)
        if row.status != ContentStatus.PROCESSING or review is None or not review.finished:
            return view_of(row, review)
        status, values = settled_values(review, self._clock.now())
        async with self._sessions.begin() as session:
            await repo.settle(session, row.id, status, values)
            fresh = await repo.get(session, row.id)
        assert fresh is not None  # rows are never deleted once the crew has them
        return view_of(fresh, review)


class _LostRace(Exception):
    """Another tap linked a post first."""


def _draft(content_id: int, request: ContentRequest, brand: BrandView | None) -> Draft:
    brief = request.brief
    return Draft(
        kind=KIND,
        item_id=content_id,
        channel=CHANNEL_OF[brief.content_type],
        persona_id=brand.persona_id if brand is not None else None,
        # The brand resolved here (by id, else the default), so the crew judges by it.
        brand_id=brand.brand_id if brand is not None else None,
        brief=brief,
    )
