"""An admin's image journey through the real bot, the Bot API double and the ComfyUI double."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from core.standard_webhooks import signed_headers
from storage.models import ImageRun, RunImage
from tests.doubles.comfyui import ComfyUIDouble
from tests.doubles.fake_llm import suggestion_answer
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness, running
from tests.pipeline.e2e import SECRET, add_post_via, buttons, image_settings
from tests.pipeline.support import add_campaign

# The workflow that ships with the bot, as a user would copy and adapt it.
DEFAULT_WORKFLOW = Path(__file__).resolve().parents[2] / "core/comfyui/default_workflow.json"


@pytest.fixture
async def bot(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    comfyui: ComfyUIDouble,
    tmp_path: Path,
) -> AsyncIterator[Harness]:
    settings = await image_settings(telegram_api, llm_server, comfyui, tmp_path)
    async with running(telegram_api, llm_server, settings) as harness:
        yield harness


async def test_generate_watch_and_pick(bot: Harness, comfyui: ComfyUIDouble) -> None:
    post_id = await add_post_via(bot, image_prompt=None, title="Candles <3")
    bot.send(f"/images {post_id}")
    await bot.said("has no image prompt")

    bot.send(f"/images {post_id} a cosy candle shop at dusk")
    await bot.said("queued, 4 candidates")
    await bot.said("finished: 4 candidates below")
    group = await bot.api.wait_for("sendMediaGroup", timeout=10)
    assert len(group.params["media"]) == 4
    pick = await bot.said("Pick an image for post")
    assert "“Candles &lt;3”" in pick.params["text"]
    assert set(buttons(pick)) == {
        "Pick 1", "Pick 2", "Pick 3", "Pick 4", "🔄 Regenerate", "✏️ Edit prompt", "✖ Cancel",
    }  # fmt: skip
    assert comfyui.submissions[-1]["prompt"]["6"]["inputs"]["text"] == (
        "a cosy candle shop at dusk"
    )

    bot.tap(bot.message_id_of(pick), buttons(pick)["Pick 2"])
    done = await bot.said("Image 2 of Image run #1 picked")
    assert f"Post #{post_id} → ready" in done.params["text"]
    async with bot.bot.services.sessions() as session:
        winner = (await session.execute(select(RunImage).where(RunImage.picked))).scalar_one()
    assert winner.file_id == group.result[1]["photo"][-1]["file_id"]


async def test_generate_images_from_an_approved_suggestion(bot: Harness) -> None:
    bot.llm.reply(suggestion_answer(what="A beeswax candle on a windowsill"))
    bot.send("/suggest")
    card = await bot.said("Suggestion #1")
    bot.tap(bot.message_id_of(card), buttons(card)["✅ Approve"])
    approved = await bot.said("Saved as draft post #1")
    bot.tap(bot.message_id_of(approved), buttons(approved)["🖼 Generate images"])
    pick = await bot.said("Pick an image for post")
    bot.tap(bot.message_id_of(pick), buttons(pick)["Pick 1"])
    done = await bot.said("Image 1 of Image run #1 picked")
    # Approved with a planned time, so the picked image puts it straight on the schedule.
    assert "Post #1 → scheduled" in done.params["text"]


async def test_two_admins_picking_at_once_get_one_winner(bot: Harness) -> None:
    team = -100500
    post_id = await add_post_via(bot)
    bot.api.push_update(
        bot.api.make_message_update(team, ADMIN, f"/images {post_id}", chat_type="supergroup")
    )
    pick = await bot.said("Pick an image for post")
    keys = buttons(pick)
    bot.tap(bot.message_id_of(pick), keys["Pick 1"], user_id=ADMIN, chat_id=team)
    bot.tap(bot.message_id_of(pick), keys["Pick 3"], user_id=OTHER_ADMIN, chat_id=team)
    answer = await bot.api.wait_for(
        "answerCallbackQuery", lambda c: "already picked" in str(c.params.get("text"))
    )
    assert answer.params["show_alert"] is True
    async with bot.bot.services.sessions() as session:
        picked = (await session.execute(select(RunImage).where(RunImage.picked))).scalars()
        assert len(list(picked)) == 1


async def test_progress_edits_are_throttled_and_the_end_is_shown(
    bot: Harness, comfyui: ComfyUIDouble
) -> None:
    comfyui.step_delay = 0.15  # 20 sampler steps: about 3.5 s of rendering
    bot.send(f"/images {await add_post_via(bot)}")
    queued = await bot.said("queued")
    status_id = bot.message_id_of(queued)
    started = time.monotonic()
    await bot.said("finished: 4 candidates below", within=20)
    took = time.monotonic() - started
    edits = [
        str(c.params["text"])
        for c in bot.api.calls_to("editMessageText")
        if c.params["message_id"] == status_id
    ]
    rendering = [text for text in edits if "Rendering" in text]
    assert rendering and any("%" in text for text in rendering)
    assert len(edits) <= took / 1.5 + 3  # started + throttled progress + the final state
    assert "finished" in edits[-1]


async def test_one_candidate_comes_as_a_single_photo(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    comfyui: ComfyUIDouble,
    tmp_path: Path,
) -> None:
    settings = await image_settings(telegram_api, llm_server, comfyui, tmp_path, batch_size=1)
    async with running(telegram_api, llm_server, settings) as bot:
        bot.send(f"/images {await add_post_via(bot)}")
        pick = await bot.said("Pick an image for post")
        assert set(buttons(pick)) >= {"Pick 1"} and "Pick 2" not in buttons(pick)
        assert telegram_api.calls_to("sendPhoto") and not telegram_api.calls_to("sendMediaGroup")


async def test_edit_prompt_regenerates_with_the_reply(bot: Harness, comfyui: ComfyUIDouble) -> None:
    bot.send(f"/images {await add_post_via(bot)}")
    pick = await bot.said("Pick an image for post")
    bot.tap(bot.message_id_of(pick), buttons(pick)["✏️ Edit prompt"])
    await bot.said("Send the new image prompt for image run #1")
    bot.send("a <b>bold</b> red boat")
    await bot.said("Image run #1 was replaced by Image run #2")
    await bot.said("Image run #2</b> finished")
    assert comfyui.submissions[-1]["prompt"]["6"]["inputs"]["text"] == "a <b>bold</b> red boat"
    again = await bot.said("Pick an image for post")
    assert "a &lt;b&gt;bold&lt;/b&gt; red boat" in again.params["text"]


async def test_pickimage_shows_waiting_runs_again_without_uploading(bot: Harness) -> None:
    bot.send(f"/images {await add_post_via(bot)}")
    await bot.said("Pick an image for post")
    first = await bot.api.wait_for("sendMediaGroup")
    bot.send("/pickimage")
    await bot.said("1 image run waiting for a pick")
    shown = await bot.api.wait_for("sendMediaGroup")
    sent_ids = [photo["photo"][-1]["file_id"] for photo in first.result]
    assert [item["media"] for item in shown.params["media"]] == sent_ids
    await bot.said("Pick an image for post")


async def test_campaign_images_and_cancel(bot: Harness) -> None:
    sessions = bot.bot.services.sessions
    campaign = await add_campaign(sessions)
    shared = [await add_post_via(bot, campaign_id=campaign) for _ in range(2)]
    other = await add_post_via(bot, campaign_id=campaign, image_prompt="a red boat")
    bot.send(f"/campaignimages {campaign}")
    await bot.said("Starting 2 image run(s)")
    first = await bot.said(f"posts #{shared[0]}, #{shared[1]}")
    assert "queued" in first.params["text"]
    await bot.said(f"post #{other}")
    pick = await bot.said("Pick an image for posts")
    bot.tap(bot.message_id_of(pick), buttons(pick)["✖ Cancel"])
    cancelled = await bot.said("cancelled")
    assert f"Post #{shared[0]} → draft" in cancelled.params["text"]


async def test_cancel_stops_the_work_on_the_image_server(
    bot: Harness, comfyui: ComfyUIDouble
) -> None:
    comfyui.never_finish_next()  # without the cancel it would hold the GPU forever
    post = await add_post_via(bot)
    bot.send(f"/images {post}")
    started = await bot.said("rendering started")
    bot.tap(bot.message_id_of(started), buttons(started)["✖ Cancel"])
    cancelled = await bot.said("cancelled")
    assert f"Post #{post} → draft" in cancelled.params["text"]
    async with bot.bot.services.sessions() as session:
        prompt_id = (await session.execute(select(ImageRun.prompt_id))).scalar_one()
    entry = await _history_entry(comfyui, prompt_id)
    assert entry["status"]["messages"][-1][0] == "execution_interrupted"
    assert ("POST", "/queue") in [(m, p) for m, p, _ in comfyui.request_log]


async def _history_entry(comfyui: ComfyUIDouble, prompt_id: str) -> dict[str, Any]:
    """The run's /history entry, as ComfyUI shows it once the run has ended."""
    async with aiohttp.ClientSession() as http:
        for _ in range(500):
            async with http.get(f"{comfyui.url}/history/{prompt_id}") as response:
                body = await response.json()
            if prompt_id in body:
                return dict(body[prompt_id])
            await asyncio.sleep(0.01)
    raise AssertionError("the image server never stopped the run")


async def test_a_signed_callback_through_the_web_server(
    bot: Harness, comfyui: ComfyUIDouble
) -> None:
    comfyui.never_finish_next()  # the watcher waits; the pipeline says it failed
    bot.send(f"/images {await add_post_via(bot)}")
    await bot.said("rendering started")
    async with bot.bot.services.sessions() as session:
        prompt_id = (await session.execute(select(ImageRun.prompt_id))).scalar_one()
    body = json.dumps(
        {"type": "pipeline.run.failed", "data": {"prompt_id": prompt_id, "error": "disk full"}}
    ).encode()
    headers = signed_headers(SECRET, "msg_e2e_1", int(time.time()), body)
    async with aiohttp.ClientSession() as http:
        url = bot.web_url + "/webhooks/pipeline"
        async with http.post(url, data=body, headers=headers) as response:
            assert response.status == 200
        async with http.post(url, data=body, headers={**headers, "webhook-signature": "v1,AA=="}):
            pass
    failed = await bot.said("failed: The image pipeline reported a failure: disk full")
    assert set(buttons(failed)) == {"🔁 Retry", "✖ Cancel"}


async def test_the_configured_workflow_is_what_comfyui_runs(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    comfyui: ComfyUIDouble,
    tmp_path: Path,
) -> None:
    workflow = json.loads(DEFAULT_WORKFLOW.read_text())
    workflow["3"]["inputs"]["steps"] = 8
    workflow["9"]["inputs"]["filename_prefix"] = "my_shop"
    path = tmp_path / "my_workflow_api.json"
    path.write_text(json.dumps(workflow))
    settings = await image_settings(telegram_api, llm_server, comfyui, tmp_path, workflow=path)
    async with running(telegram_api, llm_server, settings) as bot:
        bot.send(f"/images {await add_post_via(bot)} a red boat at sea")
        await bot.said("Pick an image for post")
    sent = comfyui.submissions[-1]["prompt"]
    assert sent["3"]["inputs"]["steps"] == 8
    assert sent["9"]["inputs"]["filename_prefix"] == "my_shop"
    assert sent["6"]["inputs"]["text"] == "a red boat at sea"
    assert isinstance(sent["3"]["inputs"]["seed"], int)


async def test_an_unusable_workflow_turns_images_off_with_the_reason(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    comfyui: ComfyUIDouble,
    tmp_path: Path,
) -> None:
    workflow = json.loads(DEFAULT_WORKFLOW.read_text())
    workflow["6"]["inputs"]["text"] = "a photo"  # the image prompt has nowhere to go
    path = tmp_path / "broken_api.json"
    path.write_text(json.dumps(workflow))
    settings = await image_settings(telegram_api, llm_server, comfyui, tmp_path, workflow=path)
    async with running(telegram_api, llm_server, settings) as bot:
        bot.send(f"/images {await add_post_via(bot)}")
        off = await bot.said("Image generation is off")
    assert "{{prompt}}" in off.params["text"]
    assert comfyui.submissions == []


async def test_without_comfyui_image_commands_say_they_are_off(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> None:
    settings = await image_settings(telegram_api, llm_server, None, tmp_path)
    async with running(telegram_api, llm_server, settings) as bot:
        bot.send("/images 1")
        await bot.said("Image generation is off: set COMFYUI_URL")
        bot.send("/pickimage")
        await bot.said("Image generation is off: set COMFYUI_URL")
        commands = {c["command"] for c in telegram_api.last("setMyCommands").params["commands"]}
        assert {"images", "campaignimages", "pickimage"} <= commands
