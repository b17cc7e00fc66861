"""POST /api/personas and GET /api/personas/{id}, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.api.docs_examples import example


async def test_create_then_get(api: Api) -> None:
    status, created, _ = await api.post("/api/personas", example("persona-request"))
    assert status == 201
    assert isinstance(created["id"], int)
    assert created["caption_config"]["tone"] == "warm"
    assert created["hashtag_strategy"]["always"] == ["#acmecandles"]
    assert [p["name"] for p in created["content_pillars"]] == ["Product", "Tips"]
    status, fetched = await api.get(f"/api/personas/{created['id']}")
    assert (status, fetched) == (200, created)
    assert set(fetched) >= {
        "name", "caption_config", "hashtag_strategy", "content_pillars", "brand_guidelines",
    }  # fmt: skip


async def test_only_name_is_required(api: Api) -> None:
    status, created, _ = await api.post("/api/personas", {"name": "Bare"})
    assert (status, created["name"], created["content_pillars"]) == (201, "Bare", [])


async def test_existing_name_is_409(api: Api) -> None:
    await api.post("/api/personas", {"name": "Acme"})
    status, body, _ = await api.post("/api/personas", {"name": "ACME"})
    assert (status, body) == (409, {"error": "A persona named 'Acme' exists already."})


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({}, ["name: is required"]),
        ({"name": "A", "colour": "red"}, ["colour: is not a known field"]),
        (
            {"name": "A", "content_pillars": [{"name": "X"}, {"name": "x"}]},
            ["content_pillars: has 'x' twice; pillar names must be unique"],
        ),
        (
            {"name": "", "caption_config": {"tone": ""}},
            ["name: cannot be blank", "caption_config.tone: cannot be blank"],
        ),
    ],
)
async def test_invalid_persona_is_422(api: Api, body: object, details: list[str]) -> None:
    status, answer, _ = await api.post("/api/personas", body)
    assert (status, answer) == (422, {"error": "Validation failed", "details": details})


@pytest.mark.parametrize("persona_id", ["99", "abc", "-1"])
async def test_unknown_persona_is_404(api: Api, persona_id: str) -> None:
    status, body = await api.get(f"/api/personas/{persona_id}")
    assert status == 404 and "does not exist" in body["error"]
