"""CampaignService.create on SQLite and PostgreSQL: everything in one transaction, or nothing."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import select

from core.errors import NotFound, ValidationFailed
from storage.models import Campaign, ContentPillar, Post, PostTransition, Suggestion
from storage.repos import posts as post_repo
from tests.campaigns.helpers import Core, count, make_persona, plan_body, post_body

TABLES = (Campaign, Suggestion, Post, PostTransition, ContentPillar)


async def _counts(core: Core) -> dict[str, int]:
    return {model.__name__: await count(core.sessions, model) for model in TABLES}


async def test_create_stores_campaign_suggestions_and_draft_posts(core: Core) -> None:
    persona = await make_persona(core.personas, pillars=("Product", "Tips"))
    body = plan_body(persona.id, posts=3)
    body["posts"][1]["content_pillar_name"] = "tips"  # matched ignoring case
    body["posts"][2]["content_pillar_name"] = "Behind the scenes"  # created
    created = await core.campaigns.create(body, actor="user:7", model="openai/gpt", user_id=7)

    campaign = created.campaign
    assert (campaign.name, campaign.persona_name, campaign.model) == (
        "Autumn launch", "Acme Candles", "openai/gpt",
    )  # fmt: skip
    assert (campaign.created_by, campaign.post_count) == ("user:7", 3)
    assert campaign.strategy_metadata == body["strategy_metadata"]
    assert created.pillars_created == ("Behind the scenes",)
    assert [p.content_pillar_name for p in created.posts] == [
        "Product",
        "Tips",
        "Behind the scenes",
    ]
    assert all(p.status == "draft" and not p.approved for p in created.posts)
    assert [s.post_id for s in created.suggestions] == [p.id for p in created.posts]
    assert [p.suggestion_id for p in created.posts] == [s.id for s in created.suggestions]

    async with core.sessions() as session:
        suggestions = (await session.scalars(select(Suggestion).order_by(Suggestion.id))).all()
        transitions = (await session.scalars(select(PostTransition))).all()
    assert {(s.source, s.status, s.created_by) for s in suggestions} == {
        ("campaign", "accepted", 7)
    }
    assert suggestions[0].payload["title"] == "Post 1"
    assert suggestions[0].payload["hashtags"] == ["#autumn", "#candles"]
    assert {(t.from_status, t.to_status, t.actor) for t in transitions} == {
        (None, "draft", "user:7")
    }


async def test_posts_keep_every_planned_field(core: Core) -> None:
    persona = await make_persona(core.personas)
    body = plan_body(persona.id, posts=1)
    body["posts"][0] = post_body(scheduled_at="2026-12-01T10:00:00+01:00", format="video")
    (post,) = (await core.campaigns.create(body, actor="api", model="api")).posts
    assert post.scheduled_at is not None
    assert post.scheduled_at.isoformat() == "2026-12-01T09:00:00+00:00"
    assert post.scheduled_at.tzinfo == UTC
    assert (post.format, post.caption, post.hashtags) == (
        "video", "Our autumn candle is back.", ("#autumn", "#candles"),
    )  # fmt: skip
    assert post.image_prompt is not None and post.image_prompt.startswith("A beeswax candle")
    assert post.description == "A close-up of the new candle on a windowsill"
    assert (post.persona_id, post.campaign_id) == (persona.id, post.campaign_id)


async def test_result_serialises_to_the_response_shape(core: Core) -> None:
    persona = await make_persona(core.personas)
    created = await core.campaigns.create(plan_body(persona.id, 2), actor="api", model="api")
    body = created.as_json()
    assert set(body) == {"campaign", "suggestions", "posts"}
    assert body["campaign"]["persona"] == {"id": persona.id, "name": "Acme Candles"}
    assert body["campaign"]["content_pillars_created"] == []
    assert body["suggestions"][0] == {
        "id": created.suggestions[0].id,
        "source": "campaign",
        "status": "accepted",
        "post_id": created.posts[0].id,
        "title": "Post 1",
    }
    post = body["posts"][0]
    assert (post["status"], post["approved"], post["seen"]) == ("draft", False, False)
    assert post["content_pillar"]["name"] == "Product"
    assert post["scheduled_at"] == "2026-11-22T12:00:00+00:00"


async def test_unknown_persona_is_a_validation_problem_and_stores_nothing(core: Core) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await core.campaigns.create(plan_body(99), actor="api", model="api")
    assert caught.value.problems == ["persona_id: persona 99 does not exist"]
    assert set((await _counts(core)).values()) == {0}


async def test_failure_halfway_leaves_nothing(core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    persona = await make_persona(core.personas)
    before = await _counts(core)
    real_insert = post_repo.insert_drafts

    async def insert_then_fail(*args: object, **kwargs: object) -> list[int]:
        await real_insert(*args, **kwargs)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(post_repo, "insert_drafts", insert_then_fail)
    body = plan_body(persona.id, posts=3)
    body["posts"][0]["content_pillar_name"] = "A new pillar"
    with pytest.raises(RuntimeError, match="disk full"):
        await core.campaigns.create(body, actor="api", model="api")
    assert await _counts(core) == before


async def test_times_are_checked_again_at_creation(core: Core) -> None:
    persona = await make_persona(core.personas)
    plan = core.campaigns.validate(plan_body(persona.id, posts=2))
    core.clock.advance(days=1, seconds=1)  # the first post's time has passed meanwhile
    with pytest.raises(ValidationFailed) as caught:
        await core.campaigns.create(plan, actor="api", model="api")
    assert caught.value.problems == ["Post #1: scheduled_at must be in the future"]
    assert await count(core.sessions, Campaign) == 0


async def test_fifty_posts(core: Core) -> None:
    persona = await make_persona(core.personas)
    created = await core.campaigns.create(plan_body(persona.id, 50), actor="api", model="api")
    assert len(created.posts) == 50 == await count(core.sessions, Post)


async def test_get_and_recent(core: Core) -> None:
    persona = await make_persona(core.personas)
    first = await core.campaigns.create(plan_body(persona.id, 2), actor="api", model="api")
    core.clock.advance(minutes=1)
    second = await core.campaigns.create(plan_body(persona.id, 1), actor="mcp", model="mcp")
    assert (await core.campaigns.get(first.campaign.id)).post_count == 2
    recent = await core.campaigns.recent()
    assert [c.id for c in recent] == [second.campaign.id, first.campaign.id]
    with pytest.raises(NotFound, match="Campaign #999"):
        await core.campaigns.get(999)


async def test_identical_posts_each_get_their_own_suggestion(core: Core) -> None:
    persona = await make_persona(core.personas)
    body = plan_body(persona.id, posts=1)
    body["posts"] = [post_body(1)] * 3 + [post_body(2)]
    created = await core.campaigns.create(body, actor="api", model="api")
    suggestion_ids = [p.suggestion_id for p in created.posts]
    assert len(set(suggestion_ids)) == 4
    async with core.sessions() as session:
        rows = {s.id: s for s in (await session.scalars(select(Suggestion))).all()}
    titles = [rows[s_id].payload["title"] for s_id in suggestion_ids if s_id is not None]
    assert titles == ["Post 1"] * 3 + ["Post 2"]
