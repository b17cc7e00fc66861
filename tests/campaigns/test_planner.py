"""CampaignPlanner: renders campaign_plan, asks the model, returns a checked preview."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from core.campaigns.models import PlanDraft
from core.campaigns.planner import CampaignPlanner, PlanRequest
from core.errors import LLMError, NotFound, ValidationFailed
from core.prompting.registry import PromptRegistry
from storage.models import Campaign, Post, Suggestion
from tests.campaigns.helpers import TZ, Core, count, make_persona, post_body
from tests.doubles.fake_llm import FakeLLM

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


def _answer(posts: list[dict[str, Any]]) -> dict[str, object]:
    return {
        "campaign_name": "Autumn glow",
        "strategy_metadata": {
            "summary": "Introduce the candle, show it in use, close with the launch.",
            "key_message": "Warm evenings",
            "pillar_mix": {"Product": 2},
            "cadence": "Every other day at 18:00",
        },
        "posts": posts,
    }


def _request(persona_id: int, **overrides: object) -> PlanRequest:
    data: dict[str, object] = {
        "persona_id": persona_id,
        "goal": "Launch the autumn candle",
        "tone": "Warm",
        "audience": "Home lovers in Berlin",
        "start_date": "2026-11-22",
        "end_date": "2026-11-30",
        "post_count": 2,
        "format_mix": {"image": 1, "carousel": 1},
    }
    data.update(overrides)
    return PlanRequest.model_validate(data)


@pytest.fixture
async def planner(core: Core) -> tuple[CampaignPlanner, FakeLLM]:
    prompts = await PromptRegistry.load(PROMPTS)
    llm = FakeLLM()
    return CampaignPlanner(core.personas, prompts, llm, core.clock, TZ), llm


async def test_preview_is_a_checked_plan_and_stores_nothing(
    core: Core, planner: tuple[CampaignPlanner, FakeLLM]
) -> None:
    service, llm = planner
    persona = await make_persona(core.personas)
    llm.queue(_answer([post_body(1), post_body(2, scheduled_at="2026-11-24T18:00:00")]))
    preview = await service.preview(_request(persona.id))

    assert preview.plan.persona_id == persona.id
    assert preview.plan.campaign_name == "Autumn glow"
    assert preview.plan.posts[1].scheduled_at.isoformat() == "2026-11-24T18:00:00+01:00"
    assert (preview.model, preview.warnings) == ("fake/model", ())
    assert preview.plan.strategy_metadata["key_message"] == "Warm evenings"
    for model in (Campaign, Suggestion, Post):
        assert await count(core.sessions, model) == 0

    request = llm.requests[0]
    assert request.prompt is not None and request.prompt.name == "campaign_plan"
    text = "\n".join(m.content for m in request.messages)
    assert "Persona: Acme Candles" in text and "- Product" in text
    assert "No discounts, no health claims." in text
    assert "Today is 2026-11-21 (Saturday)" in text and "Europe/Berlin" in text
    assert "exactly 2" in text


async def test_reels_and_stories_are_asked_for_and_kept(
    core: Core, planner: tuple[CampaignPlanner, FakeLLM]
) -> None:
    service, llm = planner
    persona = await make_persona(core.personas)
    llm.queue(_answer([post_body(1, format="reel"), post_body(2, format="stories")]))
    request = _request(persona.id, format_mix={"reel": 1, "story": 1})
    preview = await service.preview(request)
    assert [p.format for p in preview.plan.posts] == ["reel", "story"]
    text = "\n".join(m.content for m in llm.requests[0].messages)
    assert "- reel: 1" in text and "- story: 1" in text
    words = " ".join(text.split())
    assert '"image", "carousel", "reel", "story", "video" or "text"' in words


async def test_the_preview_can_be_created(
    core: Core, planner: tuple[CampaignPlanner, FakeLLM]
) -> None:
    service, llm = planner
    persona = await make_persona(core.personas)
    llm.queue(_answer([post_body(1), post_body(2)]))
    preview = await service.preview(_request(persona.id))
    created = await core.campaigns.create(
        preview.plan, actor="user:3", model=preview.model, user_id=3
    )
    assert (created.campaign.model, len(created.posts)) == ("fake/model", 2)


async def test_warnings_point_at_what_to_check(
    core: Core, planner: tuple[CampaignPlanner, FakeLLM]
) -> None:
    service, llm = planner
    persona = await make_persona(core.personas)
    far = post_body(1, scheduled_at="2026-12-20T10:00:00+01:00", content_pillar_name="Events")
    llm.queue(_answer([far]))
    preview = await service.preview(_request(persona.id))
    assert preview.warnings == (
        "The plan has 1 posts; 2 were asked for.",
        "Post #1: 2026-12-20 is outside the campaign period.",
        "Post #1: content pillar 'Events' is new and will be created.",
    )


async def test_past_times_from_the_model_are_problems(
    core: Core, planner: tuple[CampaignPlanner, FakeLLM]
) -> None:
    service, llm = planner
    persona = await make_persona(core.personas)
    llm.queue(_answer([post_body(1, scheduled_at="2025-01-01T10:00:00+01:00")]))
    with pytest.raises(ValidationFailed) as caught:
        await service.preview(_request(persona.id))
    assert caught.value.problems == ["Post #1: scheduled_at must be in the future"]


async def test_model_failure_and_unknown_persona(
    core: Core, planner: tuple[CampaignPlanner, FakeLLM]
) -> None:
    service, llm = planner
    with pytest.raises(NotFound):
        await service.preview(_request(77))
    persona = await make_persona(core.personas)
    llm.queue(LLMError("The model is down."))
    with pytest.raises(LLMError):
        await service.preview(_request(persona.id))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"post_count": 51}, "less than or equal to 50"),
        ({"post_count": 0}, "greater than or equal to 1"),
        ({"end_date": "2026-11-01"}, "end_date must not be before start_date"),
        ({"goal": " "}, "at least 1 character"),
        ({"budget": 5}, "Extra inputs are not permitted"),
    ],
)
def test_plan_request_rules(change: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        _request(1, **change)


def test_plan_request_problems_as_lines() -> None:
    with pytest.raises(ValidationFailed) as caught:
        PlanRequest.checked({"persona_id": 1, "goal": "", "post_count": 99})
    assert caught.value.problems == [
        "goal: cannot be blank",
        "tone: is required",
        "audience: is required",
        "start_date: is required",
        "end_date: is required",
        "post_count: must be at most 50",
    ]


def test_plan_request_defaults() -> None:
    request = _request(1, format_mix="mostly photos")
    assert (request.start_date, request.format_mix) == (date(2026, 11, 22), "mostly photos")
    assert PlanDraft.model_json_schema()["title"] == "PlanDraft"


async def test_a_retry_or_replan_asks_the_model_afresh(
    core: Core, planner: tuple[CampaignPlanner, FakeLLM]
) -> None:
    service, llm = planner
    persona = await make_persona(core.personas)
    posts = [post_body(1), post_body(2, scheduled_at="2026-11-24T18:00:00")]
    llm.queue(_answer(posts), _answer(posts))
    await service.preview(_request(persona.id))
    await service.preview(_request(persona.id), fresh=True)
    first, again = llm.requests
    assert (first.fresh, again.fresh) == (False, True)  # a fresh request never reads the cache
    assert first.messages == again.messages
