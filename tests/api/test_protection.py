"""Bearer token, the database rate limit and Idempotency-Key, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.api.idempotency import fingerprint
from storage.models import Campaign, Post, Suggestion
from storage.repos import api as api_repo
from tests.api.conftest import TOKEN, Api
from tests.campaigns.helpers import count, make_persona, plan_body

ROUTES = [("POST", "/api/campaigns"), ("POST", "/api/personas"), ("GET", "/api/personas/1")]


@pytest.mark.parametrize(("method", "path"), ROUTES)
@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", TOKEN],
)
async def test_missing_or_bad_token_is_401(
    api: Api, method: str, path: str, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await api.client.request(method, path, json={"name": "x"}, headers=headers)
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert await response.json() == {"error": "Missing or invalid bearer token."}
    assert await count(api.core.sessions, Campaign) == 0


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_unset_token_is_503(make_api: Callable[..., Any], method: str, path: str) -> None:
    api: Api = await make_api(token=None)
    headers = {"Authorization": "Bearer anything"}
    response = await api.client.request(method, path, json={}, headers=headers)
    assert response.status == 503
    assert "set API_TOKEN" in (await response.json())["error"]


async def test_the_token_is_accepted_in_any_scheme_case(api: Api) -> None:
    response = await api.client.get("/api/personas/1", headers={"Authorization": f"bearer {TOKEN}"})
    assert response.status == 404  # authorised; there is just no persona 1


async def test_over_the_rate_limit_is_429_with_retry_after(make_api: Callable[..., Any]) -> None:
    api: Api = await make_api(limit=3)
    statuses = [(await api.get("/api/personas/1"))[0] for _ in range(3)]
    assert statuses == [404, 404, 404]
    response = await api.client.get("/api/personas/1", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status == 429
    assert response.headers["Retry-After"] == "60"  # the clock stands at hh:mm:00
    assert "at most 3 a minute" in (await response.json())["error"]
    api.core.clock.advance(seconds=45)
    assert (await api.get("/api/personas/1"))[0] == 429
    api.core.clock.advance(seconds=15)  # a new minute
    assert (await api.get("/api/personas/1"))[0] == 404


async def test_replicas_share_the_limit(make_api: Callable[..., Any]) -> None:
    """Two app instances on one database are two replicas behind a load balancer."""
    first: Api = await make_api(limit=4)
    second: Api = await make_api(limit=4)
    statuses = [(await api.get("/api/personas/1"))[0] for api in (first, second) * 3]
    assert statuses == [404, 404, 404, 404, 429, 429]


async def test_rate_limited_requests_create_nothing(make_api: Callable[..., Any]) -> None:
    api: Api = await make_api(limit=1)
    persona = await make_persona(api.core.personas)
    assert (await api.post("/api/campaigns", plan_body(persona.id)))[0] == 201
    status, _, headers = await api.post("/api/campaigns", plan_body(persona.id))
    assert status == 429 and int(headers["Retry-After"]) >= 1
    assert await count(api.core.sessions, Campaign) == 1


async def _totals(api: Api) -> tuple[int, int, int]:
    sessions = api.core.sessions
    return (
        await count(sessions, Campaign),
        await count(sessions, Suggestion),
        await count(sessions, Post),
    )


async def test_a_retry_with_the_same_key_returns_the_first_response(api: Api) -> None:
    persona = await make_persona(api.core.personas)
    body = plan_body(persona.id, posts=3)
    first = await api.post("/api/campaigns", body, **{"Idempotency-Key": "k-1"})
    totals = await _totals(api)
    api.core.clock.advance(minutes=2)
    again = await api.post("/api/campaigns", body, **{"Idempotency-Key": "k-1"})
    assert (again[0], again[1]) == (first[0], first[1]) and first[0] == 201
    assert again[2]["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first[2]
    assert await _totals(api) == totals == (1, 3, 3)


async def test_the_same_json_spelled_differently_is_the_same_request(api: Api) -> None:
    persona = await make_persona(api.core.personas)
    body = plan_body(persona.id)
    headers = {"Authorization": f"Bearer {TOKEN}", "Idempotency-Key": "k-2"}
    first = await api.client.post("/api/campaigns", json=body, headers=headers)
    respaced = json.dumps(dict(reversed(list(body.items()))), indent=4)
    headers["Content-Type"] = "application/json"
    again = await api.client.post("/api/campaigns", data=respaced, headers=headers)
    assert (again.status, await again.json()) == (first.status, await first.json())
    assert await count(api.core.sessions, Campaign) == 1


async def test_a_different_body_with_the_same_key_is_422(api: Api) -> None:
    persona = await make_persona(api.core.personas)
    await api.post("/api/campaigns", plan_body(persona.id), **{"Idempotency-Key": "k-3"})
    other = plan_body(persona.id, campaign_name="Another")
    status, body, _ = await api.post("/api/campaigns", other, **{"Idempotency-Key": "k-3"})
    assert (status, body["error"]) == (422, "Validation failed")
    assert body["details"] == [
        "Idempotency-Key: this key was used for a different request; send a new key with it"
    ]
    assert await count(api.core.sessions, Campaign) == 1


async def test_the_same_key_on_another_route_is_422(api: Api) -> None:
    await api.post("/api/personas", {"name": "A"}, **{"Idempotency-Key": "k-4"})
    status, _, _ = await api.post("/api/campaigns", {"name": "A"}, **{"Idempotency-Key": "k-4"})
    assert status == 422


async def test_a_failed_validation_is_replayed_too(api: Api) -> None:
    first = await api.post("/api/campaigns", plan_body(42), **{"Idempotency-Key": "k-5"})
    await make_persona(api.core.personas)  # persona 1 now exists, but the key is spent
    again = await api.post("/api/campaigns", plan_body(42), **{"Idempotency-Key": "k-5"})
    assert first[:2] == again[:2] and first[0] == 422


async def test_a_conflict_is_replayed(api: Api) -> None:
    await api.post("/api/personas", {"name": "Taken"})
    first = await api.post("/api/personas", {"name": "Taken"}, **{"Idempotency-Key": "k-6"})
    again = await api.post("/api/personas", {"name": "Taken"}, **{"Idempotency-Key": "k-6"})
    assert first[:2] == again[:2] and first[0] == 409


async def test_concurrent_requests_with_one_key_create_once(api: Api) -> None:
    persona = await make_persona(api.core.personas)
    body = plan_body(persona.id, posts=5)
    results = await asyncio.gather(
        *(api.post("/api/campaigns", body, **{"Idempotency-Key": "k-7"}) for _ in range(5))
    )
    statuses = sorted(status for status, _, _ in results)
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}
    assert await _totals(api) == (1, 5, 5)
    created = {json.dumps(b, sort_keys=True) for s, b, _ in results if s == 201}
    assert len(created) == 1  # every 201 is the same response


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\there"])
async def test_a_malformed_key_is_422(api: Api, key: str) -> None:
    status, body, _ = await api.post("/api/personas", {"name": "A"}, **{"Idempotency-Key": key})
    assert status == 422
    assert body["details"] == ["Idempotency-Key: must be 1-255 printable ASCII characters"]


async def test_a_key_can_be_reused_after_its_time_to_live(api: Api) -> None:
    await api.post("/api/personas", {"name": "A"}, **{"Idempotency-Key": "k-8"})
    api.core.clock.advance(hours=25)
    status, body, _ = await api.post("/api/personas", {"name": "B"}, **{"Idempotency-Key": "k-8"})
    assert (status, body["name"]) == (201, "B")


async def test_a_crash_releases_the_key_so_the_retry_runs(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    persona = await make_persona(api.core.personas)
    real_create = api.core.campaigns.create
    calls = 0

    async def crash_once(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("database went away")
        return await real_create(*args, **kwargs)

    monkeypatch.setattr(api.core.campaigns, "create", crash_once)
    body = plan_body(persona.id)
    status, answer, _ = await api.post("/api/campaigns", body, **{"Idempotency-Key": "k-9"})
    assert (status, answer) == (500, {"error": "Internal error; nothing was changed."})
    status, _, _ = await api.post("/api/campaigns", body, **{"Idempotency-Key": "k-9"})
    assert status == 201 and await count(api.core.sessions, Campaign) == 1


async def test_an_abandoned_claim_is_taken_over_after_five_minutes(api: Api) -> None:
    persona = await make_persona(api.core.personas)
    body = plan_body(persona.id)
    print_ = fingerprint("POST", "/api/campaigns", json.dumps(body).encode())
    async with api.core.sessions.begin() as session:  # a replica died mid-request
        await api_repo.claim_key(session, "k-10", print_, api.core.clock.now())
    status, _, headers = await api.post("/api/campaigns", body, **{"Idempotency-Key": "k-10"})
    assert (status, headers["Retry-After"]) == (409, "1")
    api.core.clock.advance(minutes=6)
    status, _, _ = await api.post("/api/campaigns", body, **{"Idempotency-Key": "k-10"})
    assert status == 201
