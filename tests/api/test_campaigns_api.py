"""POST /api/campaigns through the real aiohttp app, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from storage.models import Campaign, ContentPillar, Post, Suggestion
from tests.api.conftest import Api
from tests.api.docs_examples import example
from tests.campaigns.helpers import NOW, count, make_persona, plan_body
from tests.design_examples import assert_same_shape, design_json, moved_forward

DRAFT_POST_KEYS = {
    "id", "status", "approved", "approved_at", "seen", "title", "description", "format",
    "content_pillar", "scheduled_at", "caption", "hashtags", "image_prompt", "campaign_id",
    "persona_id", "suggestion_id", "created_at", "has_photo", "content_suggestion_id",
}  # fmt: skip


async def _stored(api: Api) -> dict[str, int]:
    models = (Campaign, Suggestion, Post, ContentPillar)
    return {m.__name__: await count(api.core.sessions, m) for m in models}


async def test_the_documented_example_returns_201(api: Api) -> None:
    status, persona, _ = await api.post("/api/personas", example("persona-request"))
    assert (status, persona["id"]) == (201, 1)
    request = moved_forward(example("campaign-request"), NOW)
    status, body, headers = await api.post("/api/campaigns", request)
    assert status == 201, body
    assert headers["Content-Type"].startswith("application/json")
    assert set(body) == {"campaign", "suggestions", "posts"}
    campaign = body["campaign"]
    assert campaign["name"] == "Holiday Season 2025"
    assert campaign["persona"] == {"id": 1, "name": "Acme Candles"}
    assert (campaign["model"], campaign["created_by"], campaign["post_count"]) == ("api", "api", 2)
    assert campaign["content_pillars_created"] == ["Holiday Traditions", "Seasonal Style"]
    assert [s["source"] for s in body["suggestions"]] == ["campaign"] * 2
    assert [s["post_id"] for s in body["suggestions"]] == [p["id"] for p in body["posts"]]
    first = body["posts"][0]
    assert set(first) == DRAFT_POST_KEYS
    assert (first["status"], first["approved"], first["approved_at"]) == ("draft", False, None)
    assert first["scheduled_at"] == "2026-12-15T14:00:00+00:00"
    assert first["hashtags"] == [
        "#HolidayMemories", "#CozyVibes", "#FamilyTraditions", "#HolidayBaking"
    ]  # fmt: skip
    # The documented answer is this one but for the times it was made at.
    documented = example("campaign-response")
    for answer in (body, documented):
        for item in (answer["campaign"], *answer["posts"]):
            item["created_at"] = "(when)"
    assert body == documented


def test_the_documented_examples_are_the_designs() -> None:
    assert example("campaign-request") == design_json("campaign_planning/request.json")
    assert example("campaign-422") == design_json("campaign_planning/response_422.json")
    assert_same_shape(
        design_json("campaign_planning/response_201.json"), example("campaign-response")
    )


async def test_posts_created_are_unapproved_drafts(api: Api) -> None:
    persona = await make_persona(api.core.personas)
    status, body, _ = await api.post("/api/campaigns", plan_body(persona.id, posts=4))
    assert status == 201
    pending = await api.core.posts.pending_review(limit=10)
    assert pending.total == 4
    assert {(p.status, p.approved) for p in pending.items} == {("draft", False)}
    assert [p.id for p in pending.items] == [p["id"] for p in body["posts"]]


async def test_fifty_posts_ok_fifty_one_refused(api: Api) -> None:
    persona = await make_persona(api.core.personas)
    status, body, _ = await api.post("/api/campaigns", plan_body(persona.id, posts=50))
    assert (status, len(body["posts"])) == (201, 50)
    status, body, _ = await api.post("/api/campaigns", plan_body(persona.id, posts=51))
    assert (status, body) == (
        422,
        {"error": "Validation failed", "details": ["posts: must have at most 50 items, not 51"]},
    )


def _second_post(**fields: object) -> dict[str, Any]:
    body = plan_body(1, posts=2)
    body["posts"][1].update(fields)
    return body


FORMATS = "image, carousel, reel, story, video, text"
# One row per rule; tests/campaigns/test_plan_validation.py has the full table.
PAST, TOO_FAR = "2020-01-01T00:00:00+00:00", "2028-01-01T00:00:00+00:00"
RULES = [
    (plan_body(99), "Persona with id 99 not found"),
    ({**plan_body(1), "campaign_name": ""}, "campaign_name: cannot be blank"),
    ({**plan_body(1), "posts": []}, "posts: must have at least 1 item(s)"),
    ({**plan_body(1), "extra": 1}, "extra: is not a known field"),
    (_second_post(scheduled_at=PAST), "Post #2: scheduled_at must be in the future"),
    (_second_post(scheduled_at=TOO_FAR), "Post #2: scheduled_at must be at most 365 days ahead"),
    (_second_post(image_prompt="   "), "Post #2: image_prompt cannot be blank"),
    (_second_post(format="podcast"), f"Post #2: format must be one of: {FORMATS}"),
    (_second_post(hashtags=["#1"]), "Post #2: hashtags has '#1', which is not a usable hashtag"),
    (_second_post(title="x" * 201), "Post #2: title must be at most 200 characters"),
    (_second_post(mood="happy"), "Post #2: mood is not a known field"),
]


@pytest.mark.parametrize(("body", "line"), RULES, ids=[line for _, line in RULES])
async def test_validation_problems_are_422_lines(api: Api, body: object, line: str) -> None:
    await make_persona(api.core.personas)
    before = await _stored(api)
    status, answer, _ = await api.post("/api/campaigns", body)
    assert (status, answer) == (422, {"error": "Validation failed", "details": [line]})
    assert await _stored(api) == before


async def test_several_problems_several_lines(api: Api) -> None:
    body = _second_post(title="", image_prompt="", format="podcast")
    status, answer, _ = await api.post("/api/campaigns", body)
    assert status == 422
    assert answer["details"] == [
        "Persona with id 1 not found",  # no persona was made: it leads the lines
        "Post #2: title cannot be blank",
        "Post #2: image_prompt cannot be blank",
        f"Post #2: format must be one of: {FORMATS}",
    ]


@pytest.mark.parametrize(
    ("data", "content_type", "line"),
    [
        (b"{not json", "application/json", "body: is not valid JSON (Expecting property name"),
        (b"[1, 2]", "application/json", "body: must be a JSON object"),
        (b"persona_id=1", "application/x-www-form-urlencoded", "Content-Type: must be application"),
        (b"{}", "text/plain", "Content-Type: must be application/json"),
    ],
)
async def test_unreadable_bodies_are_422(
    api: Api, data: bytes, content_type: str, line: str
) -> None:
    headers = {"Authorization": "Bearer test-token-0123456789", "Content-Type": content_type}
    response = await api.client.post("/api/campaigns", data=data, headers=headers)
    answer = await response.json()
    assert (response.status, answer["error"]) == (422, "Validation failed")
    assert len(answer["details"]) == 1 and answer["details"][0].startswith(line)
