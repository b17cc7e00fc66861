"""POST /api/campaigns against the campaign-planning design's own examples (verbatim copies
in tests/data/designs/, dates moved forward), through the real aiohttp app."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.localtime import NonexistentLocalTime, wall_to_utc
from storage.models import Campaign, ContentPillar, Post, Suggestion
from tests.api.conftest import Api
from tests.campaigns.helpers import NOW, TZ, count, make_persona
from tests.design_examples import (
    assert_design_meaning,
    assert_same_shape,
    design_invalid_request,
    design_json,
    design_request,
)

IDEMPOTENCY = {"Idempotency-Key": "design-example-1"}


async def _stored(api: Api) -> list[int]:
    return [await count(api.core.sessions, m) for m in (Campaign, Suggestion, Post, ContentPillar)]


async def test_the_designs_request_gets_the_designs_response(api: Api) -> None:
    persona = await make_persona(api.core.personas, name="Cosy Home", pillars=())
    assert persona.id == 1  # the design's persona_id
    request = design_request(NOW)
    status, body, _ = await api.post("/api/campaigns", request, **IDEMPOTENCY)
    assert status == 201, body
    assert_same_shape(design_json("campaign_planning/response_201.json"), body)
    assert_design_meaning(request, body)
    assert [p["format"] for p in body["posts"]] == ["reel", "carousel"]
    # A client retrying with its Idempotency-Key gets the same body, in the same shape.
    status, again, headers = await api.post("/api/campaigns", request, **IDEMPOTENCY)
    assert (status, again, headers["Idempotent-Replayed"]) == (201, body, "true")
    assert await count(api.core.sessions, Campaign) == 1


async def test_the_design_response_keys_are_really_checked(api: Api) -> None:
    """The shape check fails on a body that lacks one of the design's fields."""
    await make_persona(api.core.personas, name="Cosy Home", pillars=())
    _, body, _ = await api.post("/api/campaigns", design_request(NOW))
    del body["posts"][1]["has_photo"]
    with pytest.raises(AssertionError, match=r"\$\.posts\[1\]: missing \['has_photo'\]"):
        assert_same_shape(design_json("campaign_planning/response_201.json"), body)


async def test_the_designs_422_example_word_for_word(api: Api) -> None:
    await make_persona(api.core.personas, name="Cosy Home", pillars=())
    before = await _stored(api)
    status, body, _ = await api.post("/api/campaigns", design_invalid_request(NOW))
    assert (status, body) == (422, design_json("campaign_planning/response_422.json"))
    assert await _stored(api) == before


async def test_a_time_the_clocks_skip_is_refused_with_the_telegram_reason(api: Api) -> None:
    """TIMEZONE is Europe/Berlin; 02:30 on 28 Mar 2027 never happens there."""
    await make_persona(api.core.personas, name="Cosy Home", pillars=())
    request = design_request(NOW)
    request["posts"][0]["scheduled_at"] = "2027-03-28T02:30:00"
    before = await _stored(api)
    status, body, _ = await api.post("/api/campaigns", request)
    line = (
        "Post #1: scheduled_at 02:30 does not exist on Sun 28 Mar in Europe/Berlin: "
        "the clocks jump forward then"
    )
    assert (status, body) == (422, {"error": "Validation failed", "details": [line]})
    with pytest.raises(NonexistentLocalTime) as telegram:  # what /schedule says to a person
        wall_to_utc(datetime(2027, 3, 28, 2, 30), TZ)
    assert line == f"Post #1: scheduled_at {telegram.value}"
    assert await _stored(api) == before
