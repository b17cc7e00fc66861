"""One command creates a whole campaign: all of it in one transaction, or nothing.

The campaign row, one suggestion row per planned post (source "campaign", payload the
post plan, "pending" until its post is reviewed), the draft posts linked to those
suggestions, and any content pillar the plan names that the persona lacks. Nothing here
publishes: every post starts as an unapproved draft that a human has to approve in
Telegram.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.campaigns.models import CampaignPlan, PostPlan, validate_plan
from core.campaigns.views import PENDING, CampaignCreated, CampaignView, SuggestionRef
from core.clock import Clock
from core.errors import NotFound, ValidationFailed
from core.experiments import record as outcomes
from core.posts.crew_gate import CrewGate
from core.posts.service import draft_of
from core.posts.views import PostView
from domain.crew import ItemKind
from storage.models import Campaign
from storage.repos import campaigns as repo
from storage.repos import personas as persona_repo
from storage.repos import pipeline as pipeline_repo
from storage.repos import posts as post_repo


class CampaignService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        tz: ZoneInfo,
        crew: CrewGate | None = None,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._tz = tz
        # Every new draft post goes to the review crew, so /approve shows it scored.
        self._crew = crew or CrewGate()

    def validate(self, data: CampaignPlan | Mapping[str, Any]) -> CampaignPlan:
        """Check a plan body against the rules and the clock (naive times are in TIMEZONE)."""
        body = data.model_dump(mode="python") if isinstance(data, CampaignPlan) else data
        return validate_plan(body, now=self._clock.now(), tz=self._tz)

    async def create(
        self,
        plan: CampaignPlan | Mapping[str, Any],
        *,
        actor: str,
        model: str,
        user_id: int | None = None,
        llm_call_id: int | None = None,
    ) -> CampaignCreated:
        """Store the plan. `actor` is "user:<id>", "api" or "mcp"; `model` the planner or "api".

        The plan is validated again here, against the clock of this moment: a preview
        shown a while ago may have times that are past by now. `llm_call_id` is the
        planner's call when the model wrote the plan: what becomes of each post is then
        recorded for prompt experiments.
        """
        checked = await self._checked(plan)
        at = self._clock.now()
        async with self._sessions.begin() as session:
            persona_name = await _persona_name(session, checked.persona_id)
            pillars, created = await _pillar_ids(session, checked.persona_id, checked.posts)
            values = {**_campaign_values(checked, actor, model), "created_at": at}
            campaign = await repo.insert_campaign(session, values)
            suggestion_ids = await repo.insert_suggestions(
                session, [_payload(p) for p in checked.posts], status=PENDING,
                user_id=user_id, at=at,
            )  # fmt: skip
            rows = _post_rows(checked, campaign.id, pillars, suggestion_ids, user_id)
            post_ids = await post_repo.insert_drafts(session, rows, actor=actor, at=at)
            await outcomes.generated_together(session, ItemKind.POST, post_ids, llm_call_id, at)
            posts = await _posts_in_order(session, campaign.id, post_ids)
            photos = await pipeline_repo.posts_with_picked_image(session, post_ids)
        for post in posts:
            await self._crew.review(draft_of(post))
        view = CampaignView.from_row(campaign, persona_name, len(posts))
        refs, pillar_names = _refs(suggestion_ids, posts), tuple(sorted(created))
        return CampaignCreated(view, refs, posts, pillar_names, frozenset(photos))

    async def _checked(self, plan: CampaignPlan | Mapping[str, Any]) -> CampaignPlan:
        """validate(); when the body has other problems too, an unknown persona leads them,
        so the caller hears of every problem at once (the design's 422 example)."""
        try:
            return self.validate(plan)
        except ValidationFailed as failed:
            persona_id = _persona_id_of(plan)
            if persona_id is None:
                raise
            async with self._sessions() as session:
                if await persona_repo.get(session, persona_id) is not None:
                    raise
            raise ValidationFailed([persona_missing(persona_id), *failed.problems]) from None

    async def get(self, campaign_id: int) -> CampaignView:
        async with self._sessions() as session:
            row = await repo.get(session, campaign_id)
            if row is None:
                raise NotFound(f"Campaign #{campaign_id} does not exist.")
            return await _view(session, row)

    async def recent(self, *, offset: int = 0, limit: int = 10) -> tuple[CampaignView, ...]:
        """Newest first, for a picker in Telegram."""
        async with self._sessions() as session:
            rows = await repo.recent(session, offset=max(0, offset), limit=min(limit, 100))
            return tuple([await _view(session, row) for row in rows])


def persona_missing(persona_id: int) -> str:
    """The design's line for an unknown persona."""
    return f"Persona with id {persona_id} not found"


def _persona_id_of(plan: CampaignPlan | Mapping[str, Any]) -> int | None:
    """The body's persona_id, if it is a usable one (else validation already named it)."""
    raw = plan.persona_id if isinstance(plan, CampaignPlan) else plan.get("persona_id")
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw)
    return raw if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 1 else None


def _refs(suggestion_ids: Sequence[int], posts: Sequence[PostView]) -> tuple[SuggestionRef, ...]:
    pairs = zip(suggestion_ids, posts, strict=True)
    return tuple(
        SuggestionRef(id=s, post_id=p.id, title=p.title, content_pillar_id=p.content_pillar_id)
        for s, p in pairs
    )


async def _view(session: AsyncSession, row: Campaign) -> CampaignView:
    persona = await persona_repo.get(session, row.persona_id)
    counts = await repo.post_counts(session, [row.id])
    name = persona.name if persona is not None else ""
    return CampaignView.from_row(row, name, counts.get(row.id, 0))


async def _persona_name(session: AsyncSession, persona_id: int) -> str:
    persona = await persona_repo.get(session, persona_id)
    if persona is None:
        raise ValidationFailed([persona_missing(persona_id)])
    return persona.name


async def _pillar_ids(
    session: AsyncSession, persona_id: int, posts: Sequence[PostPlan]
) -> tuple[dict[str, int], set[str]]:
    """Pillar id per name the plan uses (matched ignoring case), creating missing pillars."""
    known = await _pillars_by_key(session, persona_id)
    missing = _unique([p.content_pillar_name for p in posts if _key(p) not in known])
    created = await persona_repo.ensure_pillars(session, persona_id, missing)
    if missing:
        known = await _pillars_by_key(session, persona_id)
    return known, created


async def _pillars_by_key(session: AsyncSession, persona_id: int) -> dict[str, int]:
    rows = await persona_repo.pillars(session, persona_id)
    return {row.name.casefold(): row.id for row in rows}


def _key(post: PostPlan) -> str:
    return post.content_pillar_name.casefold()


def _unique(names: Sequence[str]) -> list[str]:
    """First spelling of each name, ignoring case."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def _campaign_values(plan: CampaignPlan, actor: str, model: str) -> dict[str, Any]:
    return {
        "persona_id": plan.persona_id,
        "name": plan.campaign_name,
        "strategy_metadata": plan.strategy_metadata,
        "model": model,
        "created_by": actor,
    }


def _payload(post: PostPlan) -> dict[str, Any]:
    return post.model_dump(mode="json")


def _post_rows(
    plan: CampaignPlan,
    campaign_id: int,
    pillars: Mapping[str, int],
    suggestion_ids: Sequence[int],
    user_id: int | None,
) -> list[dict[str, Any]]:
    shared = {"campaign_id": campaign_id, "persona_id": plan.persona_id, "created_by": user_id}
    return [
        {**shared, **_post_row(post, pillars), "suggestion_id": suggestion_id}
        for post, suggestion_id in zip(plan.posts, suggestion_ids, strict=True)
    ]


def _post_row(post: PostPlan, pillars: Mapping[str, int]) -> dict[str, Any]:
    return {
        "title": post.title,
        "description": post.description,
        "caption": post.caption_draft,
        "hashtags": post.hashtags,
        "image_prompt": post.image_prompt,
        "scheduled_at": post.scheduled_at.astimezone(UTC),
        "format": post.format,
        "content_pillar_id": pillars[_key(post)],
    }


async def _posts_in_order(
    session: AsyncSession, campaign_id: int, post_ids: Sequence[int]
) -> tuple[PostView, ...]:
    """The stored posts, in the order of the plan (which is the order of their ids)."""
    rows = {row.post.id: row for row in await post_repo.for_campaign(session, campaign_id)}
    return tuple(PostView.from_row(rows[post_id]) for post_id in post_ids)
