"""CampaignService.create on SQLite and PostgreSQL: everything in one transaction, or nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.errors import NotFound, ValidationFailed
from storage.models import Campaign, ContentPillar, Post, PostTransition, Suggestion
from storage.repos import posts as post_repo
from storage.repos import suggestions as suggestion_repo
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
    assert {(s.source, s.status, s.created_by, s.decided_at) for s in suggestions} == {
        ("campaign", "pending", 7, None)
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
    assert body["campaign"]["persona_id"] == persona.id
    assert body["campaign"]["gap_analysis_id"] == created.campaign.id
    assert body["campaign"]["content_pillars_created"] == []
    pillar_id = persona.content_pillars[0].id
    assert body["suggestions"][0] == {
        "id": created.suggestions[0].id,
        "source": "campaign",
        "status": "pending",
        "post_id": created.posts[0].id,
        "draft_post_id": created.posts[0].id,
        "title": "Post 1",
        "content_pillar_id": pillar_id,
    }
    post = body["posts"][0]
    assert (post["status"], post["approved"], post["seen"]) == ("draft", False, False)
    assert (post["has_photo"], post["content_suggestion_id"]) == (False, created.suggestions[0].id)
    assert post["content_pillar"] == {"id": pillar_id, "name": "Product"}
    assert post["scheduled_at"] == "2026-11-22T12:00:00+00:00"


async def test_unknown_persona_is_a_validation_problem_and_stores_nothing(core: Core) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await core.campaigns.create(plan_body(99), actor="api", model="api")
    assert caught.value.problems == ["Persona with id 99 not found"]
    assert set((await _counts(core)).values()) == {0}


async def test_an_unknown_persona_leads_the_other_problems(core: Core) -> None:
    """The design's 422 example: the persona line first, then one line per post problem."""
    body = plan_body(999, posts=3)
    body["posts"][1]["scheduled_at"] = "2020-01-01T10:00:00+00:00"
    body["posts"][2]["image_prompt"] = " "
    with pytest.raises(ValidationFailed) as caught:
        await core.campaigns.create(body, actor="api", model="api")
    assert caught.value.problems == [
        "Persona with id 999 not found",
        "Post #2: scheduled_at must be in the future",
        "Post #3: image_prompt cannot be blank",
    ]
    assert set((await _counts(core)).values()) == {0}


async def test_a_known_persona_is_not_named_among_the_problems(core: Core) -> None:
    persona = await make_persona(core.personas)
    body = plan_body(persona.id, posts=1)
    body["posts"][0]["image_prompt"] = ""
    with pytest.raises(ValidationFailed) as caught:
        await core.campaigns.create(body, actor="api", model="api")
    assert caught.value.problems == ["Post #1: image_prompt cannot be blank"]


async def test_a_skipped_wall_time_is_refused_with_the_reason(core: Core) -> None:
    """TIMEZONE is Europe/Berlin: on 28 Mar 2027 the clocks go from 02:00 to 03:00."""
    persona = await make_persona(core.personas)
    body = plan_body(persona.id, posts=2)
    body["posts"][0]["scheduled_at"] = "2027-03-28T02:30:00"
    body["posts"][1]["scheduled_at"] = "2027-03-28T03:30:00"  # exists: fine on its own
    with pytest.raises(ValidationFailed) as caught:
        await core.campaigns.create(body, actor="api", model="api")
    assert caught.value.problems == [
        "Post #1: scheduled_at 02:30 does not exist on Sun 28 Mar in Europe/Berlin: "
        "the clocks jump forward then"
    ]
    assert await count(core.sessions, Post) == 0


async def test_a_naive_time_is_read_in_the_timezone(core: Core) -> None:
    persona = await make_persona(core.personas)
    body = plan_body(persona.id, posts=2)
    body["posts"][0]["scheduled_at"] = "2027-03-28T03:30:00"  # CEST, UTC+2
    body["posts"][1]["scheduled_at"] = "2026-12-01T18:00:00"  # CET, UTC+1
    created = await core.campaigns.create(body, actor="api", model="api")
    assert [p.scheduled_at for p in created.posts] == [
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),
        datetime(2026, 12, 1, 17, 0, tzinfo=UTC),
    ]


@pytest.mark.parametrize("post_format", ["image", "carousel", "reel", "story", "video", "text"])
async def test_every_planner_format_is_stored(core: Core, post_format: str) -> None:
    persona = await make_persona(core.personas)
    body = plan_body(persona.id, posts=1)
    body["posts"][0]["format"] = post_format.upper()  # read ignoring case
    created = await core.campaigns.create(body, actor="api", model="api")
    assert created.posts[0].format == post_format


async def test_the_suggestion_follows_its_post_review(core: Core) -> None:
    """pending until the post is reviewed; then accepted or rejected with it."""
    persona = await make_persona(core.personas)
    created = await core.campaigns.create(plan_body(persona.id, 3), actor="api", model="api")
    first, second, third = created.posts
    await core.posts.approve(first.id, user_id=7)
    await core.posts.reject(second.id, user_id=8)
    core.clock.advance(minutes=1)
    await core.posts.edit_caption(first.id, "New words.", user_id=7)  # withdraws the approval
    ids = [s.id for s in created.suggestions]
    assert [p.suggestion_id for p in (first, second, third)] == ids
    statuses = await _suggestion_statuses(core)
    assert [statuses[i] for i in ids] == [("accepted", 7), ("rejected", 8), ("pending", None)]
    await core.posts.reject(first.id, user_id=9)  # approved, then rejected after all
    assert (await _suggestion_statuses(core))[ids[0]] == ("rejected", 9)


async def _suggestion_statuses(core: Core) -> dict[int, tuple[str, int | None]]:
    async with core.sessions() as session:
        rows = (await session.scalars(select(Suggestion))).all()
    return {row.id: (row.status, row.decided_by) for row in rows}


async def test_campaign_suggestions_stay_out_of_the_suggest_queue(core: Core) -> None:
    """They are pending, but their posts exist: /suggest's cards and buttons are not theirs."""
    persona = await make_persona(core.personas)
    created = await core.campaigns.create(plan_body(persona.id, 2), actor="api", model="api")
    suggestion_id = created.suggestions[0].id
    async with core.sessions.begin() as session:
        page, total = await suggestion_repo.list_pending(session, offset=0, limit=10)
        decided = await suggestion_repo.decide(
            session, suggestion_id, 1, status="approved", user_id=7, at=core.clock.now()
        )
        found = await suggestion_repo.get(session, suggestion_id)
    assert (page, total, decided, found) == ([], 0, None, None)
    assert (await _suggestion_statuses(core))[suggestion_id] == ("pending", None)


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
