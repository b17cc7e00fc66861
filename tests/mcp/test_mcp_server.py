"""The MCP server through the official SDK client: in-process on both databases, and over
stdio as `python -m bot.mcp` on SQLite."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.types import CallToolResult, TextContent
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.mcp import McpServices, build_mcp_server
from storage.models import Campaign
from tests.campaigns.helpers import NOW, Core, build_core, count, make_persona, plan_body
from tests.design_examples import (
    assert_design_meaning,
    assert_same_shape,
    design_invalid_request,
    design_json,
    design_request,
)

ROOT = Path(__file__).resolve().parents[2]
TOOLS = {"create_campaign", "get_persona_context", "list_pending_reviews"}


@pytest.fixture
def core(session_factory: async_sessionmaker[AsyncSession]) -> Core:
    return build_core(session_factory)


def _client(core: Core) -> Client:
    services = McpServices(personas=core.personas, campaigns=core.campaigns, posts=core.posts)
    return Client(build_mcp_server(services))


def _structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    value: dict[str, Any] = result.structured_content
    return value


async def test_only_the_three_tools_and_none_that_publish(core: Core) -> None:
    async with _client(core) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    assert not any(word in name for name in tools for word in ("approve", "publish", "schedule"))
    assert tools["get_persona_context"].annotations is not None
    assert tools["get_persona_context"].annotations.read_only_hint is True
    schema = tools["create_campaign"].input_schema
    assert set(schema["required"]) == {"persona_id", "campaign_name", "posts"}


async def test_create_campaign_then_list_pending_reviews(core: Core) -> None:
    persona = await make_persona(core.personas)
    body = plan_body(persona.id, posts=3)
    async with _client(core) as client:
        created = _structured(await client.call_tool("create_campaign", body))
        pending = _structured(await client.call_tool("list_pending_reviews", {"limit": 2}))
    assert created["campaign"]["created_by"] == "mcp" and created["campaign"]["model"] == "mcp"
    assert [p["status"] for p in created["posts"]] == ["draft"] * 3
    assert (pending["total"], pending["has_next"], len(pending["posts"])) == (3, True, 2)
    assert pending["posts"][0]["id"] == created["posts"][0]["id"]
    assert pending["posts"][0]["approved"] is False


async def test_validation_problems_are_a_tool_error_with_lines(core: Core) -> None:
    persona = await make_persona(core.personas)
    body = plan_body(persona.id, posts=2)
    body["posts"][1]["scheduled_at"] = "2020-01-01T10:00:00+00:00"
    async with _client(core) as client:
        result = await client.call_tool("create_campaign", body)
        unknown = await client.call_tool("create_campaign", plan_body(99))
    assert result.is_error
    assert "Validation failed:\nPost #2: scheduled_at must be in the future" in _text(result)
    assert "Validation failed:\nPersona with id 99 not found" in _text(unknown)
    assert await count(core.sessions, Campaign) == 0


async def test_bad_post_fields_come_back_one_line_each(core: Core) -> None:
    persona = await make_persona(core.personas)
    body = plan_body(persona.id, posts=2)
    body["posts"][0]["title"] = ""
    body["posts"][1]["image_prompt"] = "   "
    async with _client(core) as client:
        schema = {t.name: t for t in (await client.list_tools()).tools}["create_campaign"]
        result = await client.call_tool("create_campaign", body)
    assert result.is_error
    lines = _text(result).splitlines()
    assert lines[0].endswith("Validation failed:")
    assert any(line.startswith("Post #1: title") for line in lines[1:])
    assert any(line.startswith("Post #2: image_prompt") for line in lines[1:])
    assert "validation errors for" not in _text(result)
    # The agent still sees every field of a planned post.
    items = schema.input_schema["properties"]["posts"]["items"]
    assert {"title", "caption_draft", "scheduled_at"} <= set(items["properties"])
    assert await count(core.sessions, Campaign) == 0


async def test_the_designs_request_gets_the_designs_response(core: Core) -> None:
    """The campaign-planning design's example, verbatim but for the dates, as tool input."""
    persona = await make_persona(core.personas, name="Cosy Home", pillars=())
    assert persona.id == 1  # the design's persona_id
    request = design_request(NOW)
    async with _client(core) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        created = _structured(await client.call_tool("create_campaign", request))
    items = tools["create_campaign"].input_schema["properties"]["posts"]["items"]
    assert items["properties"]["format"]["enum"] == [
        "image", "carousel", "reel", "story", "video", "text"
    ]  # fmt: skip
    assert_same_shape(design_json("campaign_planning/response_201.json"), created)
    assert_design_meaning(request, created)
    assert [p["format"] for p in created["posts"]] == ["reel", "carousel"]


async def test_the_designs_422_lines_as_a_tool_error(core: Core) -> None:
    await make_persona(core.personas, name="Cosy Home", pillars=())
    async with _client(core) as client:
        result = await client.call_tool("create_campaign", design_invalid_request(NOW))
    design = design_json("campaign_planning/response_422.json")
    assert result.is_error
    first, *lines = _text(result).splitlines()
    assert first.endswith(f"{design['error']}:")  # after the SDK's "Error executing tool"
    assert lines == design["details"]
    assert await count(core.sessions, Campaign) == 0


async def test_a_time_the_clocks_skip_is_a_tool_error_with_the_reason(core: Core) -> None:
    await make_persona(core.personas, name="Cosy Home", pillars=())
    request = design_request(NOW)
    request["posts"][0]["scheduled_at"] = "2027-03-28T02:30:00"  # TIMEZONE is Europe/Berlin
    async with _client(core) as client:
        result = await client.call_tool("create_campaign", request)
    assert result.is_error
    assert _text(result).endswith(
        "Validation failed:\nPost #1: scheduled_at 02:30 does not exist on Sun 28 Mar in "
        "Europe/Berlin: the clocks jump forward then"
    )
    assert await count(core.sessions, Campaign) == 0


async def test_get_persona_context_by_id_by_name_or_list(core: Core) -> None:
    persona = await make_persona(core.personas)
    async with _client(core) as client:
        by_id = _structured(await client.call_tool("get_persona_context", {"persona_id": 1}))
        by_name = _structured(
            await client.call_tool("get_persona_context", {"name": "acme candles"})
        )
        listed = _structured(await client.call_tool("get_persona_context", {}))
        missing = await client.call_tool("get_persona_context", {"persona_id": 9})
    assert by_id == by_name == persona.as_json()
    assert listed == {"personas": [{"id": persona.id, "name": "Acme Candles"}]}
    assert missing.is_error and "Persona #9 does not exist" in _text(missing)


async def test_python_m_bot_mcp_over_stdio(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'mcp.db'}",
        "TIMEZONE": "Europe/Berlin",
    }
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "bot.mcp"], env=env, cwd=str(ROOT)
    )
    async with Client(params, read_timeout_seconds=60) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        listed = await client.call_tool("get_persona_context", {})
    assert names == TOOLS
    assert json.loads(_text(listed)) == {"personas": []}


def test_a_bad_database_url_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    import subprocess

    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": "mysql://nope"}
    result = subprocess.run(
        [sys.executable, "-m", "bot.mcp"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        "campaign-copilot mcp: configuration error: DATABASE_URL must start with "
        "sqlite+aiosqlite:// or postgresql+asyncpg://"
    )


def _text(result: CallToolResult) -> str:
    first = result.content[0]
    assert isinstance(first, TextContent)
    return first.text
