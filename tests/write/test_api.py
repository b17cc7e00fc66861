"""POST /api/campaign/create, GET /api/campaign/{id}, GET /api/campaigns/list: the content
copilot design's shapes as they are, 400 for bad input, 201 / 202 / 500 by how the crew
did within the wait."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.api.content import mount_content
from core.brands.guidelines import BrandGuidelines
from tests.api.conftest import AUTH, api_app
from tests.api.conftest import Api as CoreApi
from tests.api.docs_examples import example
from tests.campaigns.helpers import build_core
from tests.design_examples import assert_same_shape, design_json
from tests.write.conftest import World


@dataclass
class Api(CoreApi):
    """The API tests' client (tests/api/conftest.py) on an app with the content routes too,
    and the world they write into."""

    world: World


@pytest.fixture
async def api(world: World) -> AsyncIterator[Api]:
    core = build_core(world.sessions, world.clock)
    app = api_app(core)
    mount_content(app, world.content)
    async with TestClient(TestServer(app)) as client:
        yield Api(client, core, world)


async def test_the_designs_example_request_is_written_and_answered_in_its_shape(api: Api) -> None:
    await api.world.brands.save(BrandGuidelines(brand_name="Acme"))
    api.world.crew.then = "done"
    status, body, headers = await api.post("/api/campaign/create", design_json(
        "content_copilot/request.json"))  # fmt: skip
    assert status == 201, body
    assert_same_shape(design_json("content_copilot/response.json"), body)
    assert body["status"] == "completed"
    assert body["content"] == "Live lighter today: five easy swaps for a greener home."
    assert body["validations"] == {"brand_alignment": 84, "compliance": 90, "readability": 72,
                                   "overall_quality": 81}  # fmt: skip
    assert body["agent_feedback"] == ["Brand manager: warm and on voice",
                                      "Optimizer: stronger call to action"]  # fmt: skip
    assert body["timestamp"].endswith("Z")
    assert (body["brand_id"], body["brand_name"], body["content_type"]) == (
        "1",
        "Acme",
        "blog_post",
    )
    assert body["cost_usd"] == 0.0005 and body["design"]["palette"] == ["#2E7D32"]
    assert headers["Location"] == f"/api/campaign/{body['campaign_id']}"
    [draft] = api.world.crew.requests
    assert draft.channel == "blog" and draft.brand_id == 1


def test_docs_api_shows_the_designs_example_request() -> None:
    assert example("content-request") == design_json("content_copilot/request.json")


async def test_a_slow_crew_answers_202_processing_and_get_follows_it(api: Api) -> None:
    body = design_json("content_copilot/request.json") | {"brand_id": None}
    status, answer, headers = await api.post("/api/campaign/create?wait=0", body)
    assert status == 202, answer
    assert (answer["status"], answer["content"], answer["validations"]) == ("processing", "", None)
    assert [s["state"] for s in answer["steps"]] == ["waiting"] * 5
    location = headers["Location"]
    assert (await api.get(location))[1]["status"] == "processing"
    api.world.crew.finish(api.world.crew.requests[0].item_id)
    status, shown = await api.get(location)
    assert status == 200 and shown["status"] == "completed"
    assert shown["validations"]["overall_quality"] == 81


async def test_a_failed_crew_is_a_500_with_the_reason_and_the_campaign(api: Api) -> None:
    body = design_json("content_copilot/request.json") | {"brand_id": None}

    api.world.crew.then = "failed"
    status, answer, _ = await api.post("/api/campaign/create", body)
    assert status == 500
    assert answer["error"] == "The crew could not write it: The daily LLM budget is spent."
    assert answer["status"] == "failed" and answer["campaign_id"].startswith("cmp_")


async def test_bad_input_is_400_with_every_problem(api: Api) -> None:
    status, answer, _ = await api.post(
        "/api/campaign/create", {"campaign_brief": "", "content_type": "tweet", "brand_id": "x"}
    )
    assert status == 400
    assert answer == {"error": "Validation failed", "details": [
        "campaign_brief: must not be empty",
        "target_audience: is required",
        "content_type: must be one of blog_post, social_media, email, ad_copy, not 'tweet'",
        "brand_id: must be a brand's id such as \"7\", not 'x'",
    ]}  # fmt: skip
    assert api.world.crew.requests == []


async def test_an_unknown_brand_a_bad_wait_and_bad_json_are_400(api: Api) -> None:
    body = design_json("content_copilot/request.json") | {"brand_id": "42"}
    status, answer, _ = await api.post("/api/campaign/create", body)
    assert (status, answer["details"]) == (400, ["brand_id: there is no brand 42"])
    status, answer, _ = await api.post("/api/campaign/create?wait=61", body)
    assert (status, answer["details"]) == (400, ["wait: must be a whole number from 0 to 60"])
    response = await api.client.post(
        "/api/campaign/create", data=b"{", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status == 400
    assert (await response.json())["error"] == "Validation failed"


async def test_the_crew_switched_off_is_503_and_nothing_is_stored(api: Api) -> None:
    api.world.crew.off = True
    body = design_json("content_copilot/request.json") | {"brand_id": None}
    status, answer, _ = await api.post("/api/campaign/create", body)
    assert status == 503 and "CREW_ENABLED" in answer["error"]
    assert (await api.get("/api/campaigns/list"))[1]["campaigns"] == []


async def test_the_list_is_newest_first_and_unknown_ids_are_404(api: Api) -> None:
    body = design_json("content_copilot/request.json") | {"brand_id": None}
    made = []
    for brief in ("first", "second"):
        _, answer, _ = await api.post(
            "/api/campaign/create?wait=0", body | {"campaign_brief": brief}
        )
        made.append(answer["campaign_id"])
        api.world.clock.advance(seconds=1)
    status, listed = await api.get("/api/campaigns/list")
    assert status == 200
    assert [c["campaign_id"] for c in listed["campaigns"]] == made[::-1]
    assert (listed["offset"], listed["limit"]) == (0, 20)
    _, page = await api.get("/api/campaigns/list?offset=1&limit=1")
    assert [c["campaign_brief"] for c in page["campaigns"]] == ["first"]
    assert (await api.get("/api/campaigns/list?limit=101"))[0] == 400
    assert (await api.get("/api/campaign/cmp_nope"))[0] == 404
    assert (await api.get("/api/campaign/" + "x" * 200))[0] == 404


async def test_a_retry_with_the_same_idempotency_key_is_the_same_campaign(api: Api) -> None:
    body = design_json("content_copilot/request.json") | {"brand_id": None}
    first = await api.post("/api/campaign/create?wait=0", body, **{"Idempotency-Key": "k-1"})
    again = await api.post("/api/campaign/create?wait=0", body, **{"Idempotency-Key": "k-1"})
    assert first[1]["campaign_id"] == again[1]["campaign_id"]
    assert len(api.world.crew.requests) == 1


async def test_no_token_no_content(api: Api) -> None:
    response = await api.client.post("/api/campaign/create", json={})
    assert response.status == 401
    assert (await api.client.get("/api/campaigns/list")).status == 401
