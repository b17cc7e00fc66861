"""POST /api/v1/generateFlow and GET /api/v1/flows/{id}: the design's request and response
as they are (plus our metadata), 400 for bad input, 422 with the problems when no valid
flow could be made, Idempotency-Key like every POST route."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.api.flows import mount_flows
from core.flows.generation import FlowMaker
from core.flows.service import FlowService
from storage.models import Flow
from tests.api.conftest import AUTH, api_app
from tests.api.docs_examples import example
from tests.campaigns.helpers import MutableClock, build_core
from tests.crew_cards.fakes import FakeCrew, gate_on, report
from tests.doubles.flow_llm import FlowLLMServer
from tests.flows_gen.conftest import CART, CLEAN, HOPELESS, VIP, FixedBrands

Client = TestClient[web.Request, web.Application]
DESIGN_METADATA = {"generated_at", "model_used", "tokens_used", "generation_time_ms"}


@pytest.fixture
async def client(
    session_factory: async_sessionmaker[AsyncSession], flows: FlowService
) -> AsyncIterator[Client]:
    app = api_app(build_core(session_factory))
    mount_flows(app, flows)
    async with TestClient(TestServer(app)) as client:
        yield client


async def post(client: Client, body: Any, **headers: str) -> tuple[int, Any]:
    response = await client.post("/api/v1/generateFlow", json=body, headers={**AUTH, **headers})
    return response.status, await response.json()


async def flow_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Flow)) or 0)


async def test_generate_answers_the_design_response_with_our_metadata(client: Client) -> None:
    response = await client.post(
        "/api/v1/generateFlow", json={"campaignDescription": CART.description}, headers=AUTH
    )
    assert response.status == 201
    body = await response.json()
    assert list(body) == ["initialStepID", "steps", "metadata"]
    assert body["initialStepID"] == "welcome"
    assert [step["type"] for step in body["steps"]] == ["message", "delay", "purchase_offer", "end"]
    for step in body["steps"]:
        assert list(step)[:2] == ["id", "type"] and "events" in step
    welcome = body["steps"][0]
    assert welcome["content"].endswith("Reply STOP to opt out.")
    assert (welcome["segments"], welcome["encoding"]) == (1, "GSM-7")
    metadata = body["metadata"]
    assert set(metadata) >= DESIGN_METADATA
    assert metadata["model_used"] == "openai/test-model"
    assert metadata["valid"] is True and metadata["version"] == 1
    assert metadata["corrections"] and metadata["repairs"] == 0
    assert response.headers["Location"] == f"/api/v1/flows/{metadata['flow_id']}"


async def test_the_documented_request_works(client: Client, flow_server: FlowLLMServer) -> None:
    request = example("flow-request")
    flow_server.cases = {**flow_server.cases, request["campaignDescription"]: CLEAN}
    status, body = await post(client, request)
    assert status == 201 and body["metadata"]["valid"] is True


async def test_get_returns_the_flow_its_status_and_versions(
    client: Client, flows: FlowService
) -> None:
    made = await flows.generate(CLEAN.description)
    await flows.regenerate(made.id, expected_version=1, description=VIP.description)
    response = await client.get(f"/api/v1/flows/{made.id}", headers=AUTH)
    assert response.status == 200
    body = await response.json()
    assert (body["flow_id"], body["status"], body["current_version"]) == (made.id, "draft", 2)
    assert body["approved_version"] is None
    assert body["metadata"]["version"] == 2 and body["metadata"]["repairs"] == 1
    assert [v["version"] for v in body["versions"]] == [1, 2]
    assert [v["description"] for v in body["versions"]] == [CLEAN.description, VIP.description]
    assert body["versions"][0]["steps"] == made.current.flow["steps"]
    assert body["review"] is None  # no crew here (CREW_ENABLED off): no verdict, not zeros


async def test_no_valid_flow_is_422_with_the_problems_and_nothing_stored(
    client: Client, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    status, body = await post(client, {"campaignDescription": HOPELESS.description})
    assert status == 422
    assert body["error"] == "No valid flow could be made"
    assert body["repairs"] == 2
    assert body["details"] and all("'welcome'" in line for line in body["details"])
    assert await flow_count(session_factory) == 0


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({}, "campaignDescription: required"),
        ({"campaignDescription": "   "}, "campaignDescription: required"),
        ({"campaignDescription": 5}, "campaignDescription: required"),
        ({"campaignDescription": "x", "tone": "fun"}, "tone: unknown field"),
        ({"campaignDescription": "x", "persona_id": "1"}, "persona_id: must be"),
        ({"campaignDescription": "x" * 2001}, "at most 2000 characters"),
        ({"campaignDescription": "x", "persona_id": 404}, "there is no persona 404"),
    ],
)
async def test_bad_input_is_400_and_asks_no_model(
    client: Client, flow_server: FlowLLMServer, body: dict[str, Any], detail: str
) -> None:
    status, answer = await post(client, body)
    assert status == 400
    assert answer["error"] == "Validation failed"
    assert any(detail in line for line in answer["details"])
    assert flow_server.calls == []


async def test_a_body_that_is_not_json_is_400(client: Client) -> None:
    response = await client.post(
        "/api/v1/generateFlow", data="nope", headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status == 400


async def test_without_the_token_nothing_is_generated(
    client: Client, flow_server: FlowLLMServer
) -> None:
    response = await client.post("/api/v1/generateFlow", json={"campaignDescription": "x"})
    assert response.status == 401
    assert (await client.get("/api/v1/flows/1")).status == 401
    assert flow_server.calls == []


async def test_an_idempotent_retry_replays_the_same_flow(
    client: Client,
    flow_server: FlowLLMServer,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    key = {"Idempotency-Key": "flow-req-0001"}
    first = await post(client, {"campaignDescription": CLEAN.description}, **key)
    again = await post(client, {"campaignDescription": CLEAN.description}, **key)
    assert first == again and first[0] == 201
    assert len(flow_server.calls) == 1
    assert await flow_count(session_factory) == 1


@pytest.mark.parametrize("flow_id", ["99", "abc", "1" * 13])
async def test_an_unknown_flow_is_404(client: Client, flow_id: str) -> None:
    response = await client.get(f"/api/v1/flows/{flow_id}", headers=AUTH)
    assert response.status == 404
    assert "does not exist" in (await response.json())["error"]


async def test_get_carries_the_crews_verdict_on_the_current_version(
    session_factory: async_sessionmaker[AsyncSession],
    clock: MutableClock,
    maker: FlowMaker,
    brands: FixedBrands,
) -> None:
    crew = FakeCrew()
    flows = FlowService(session_factory, clock, maker, brands, crew=gate_on(crew))
    made = await flows.generate(CLEAN.description)
    crew.rows[-1] = crew.rows[-1].model_copy(update={"report": report(60, compliance_failed=True)})
    app = api_app(build_core(session_factory))
    mount_flows(app, flows)
    async with TestClient(TestServer(app)) as client:
        response = await client.get(f"/api/v1/flows/{made.id}", headers=AUTH)
        body = await response.json()
    assert response.status == 200
    review = body["review"]
    assert review["status"] == "done" and review["compliance_failed"] is True
    assert review["compliance_confirmed"] is False
    assert review["scores"] == {
        "brand_alignment": 80, "compliance": 30, "readability": 70, "overall_quality": 60,
    }  # fmt: skip
    assert review["findings"] == [
        {"check": "prohibited_word", "message": '"cheap" is not our word', "blocking": True}
    ]
    assert review["agent_feedback"] == ["Brand manager: warmer, please"]
    assert set(review["steps"]) == {"brand", "compliance", "design", "optimizer"}
