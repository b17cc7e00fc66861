"""/flow end to end: the whole bot against the Bot API double and the OpenAI-compatible test
server (the real generation, validation, storage on SQLite, Graphviz's real `dot`).

Every request the bot sends passes the double's Bot API checks (captions, callback_data,
HTML), so these tests also prove the card, the picture and the files are sendable.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.adapters.graphviz import GraphvizRenderer
from storage.models import Flow, FlowVersion
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import RecordedCall, TelegramApiDouble
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import ADMIN, OTHER_ADMIN, Harness, make_settings, running
from tests.flows_tg.png import png_size
from tests.flows_tg.sample import OFFER, THANKS, flow_answer

DESCRIPTION = "Win back lapsed VIP customers with a 15% discount"


@pytest.fixture
async def bot(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    # A loaded machine's first call (litellm's import) can outlast the harness's 5 s.
    settings = make_settings(telegram_api, llm_server, tmp_path, llm_timeout_s=60)
    async with running(telegram_api, llm_server, settings) as harness:
        yield harness


async def _file(harness: Harness, method: str, field: str, suffix: str) -> RecordedCall:
    return await harness.api.wait_for(
        method,
        lambda c: field in c.files and (c.files[field].filename or "").endswith(suffix),
        timeout=20,
    )


async def _answer(harness: Harness, words: str) -> str:
    call = await harness.api.wait_for(
        "answerCallbackQuery", lambda c: words in str(c.params.get("text")), timeout=20
    )
    return str(call.params["text"])


async def _new_flow(harness: Harness) -> RecordedCall:
    harness.llm.reply(flow_answer())
    harness.send(f"/flow {DESCRIPTION}")
    await harness.said("Designing your SMS flow")
    return await harness.said("SMS flow #1</b> · version 1", within=60)


async def _count(harness: Harness, model: type[Any]) -> int:
    async with harness.bot.services.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_flow_card_with_its_diagram_and_json(bot: Harness, dot_binary: str) -> None:
    card = await _new_flow(bot)
    text = str(card.params["text"])
    assert "📝 draft" in text and f"<i>{DESCRIPTION}</i>" in text
    assert "6 steps:</b> 2 messages, 1 wait, 1 reply point, 1 purchase offer, 1 end" in text
    assert "🖼 No diagram" not in text
    assert list(buttons(card)) == ["✅ Approve", "❌ Reject", "▶️ Try it", "🔄 Regenerate",
                                   "✏️ Edit description"]  # fmt: skip

    photo = await _file(bot, "sendPhoto", "photo", "sms-flow-1-v1.png")
    width, height = png_size(photo.files["photo"].data)
    assert width > 100 and height > 300  # six steps, drawn top to bottom
    assert photo.params["caption"] == "🗺 SMS flow #1, version 1"

    document = await _file(bot, "sendDocument", "document", "sms-flow-1-v1.json")
    data = json.loads(document.files["document"].data)
    assert data["initialStepID"] == "welcome"
    assert [s["id"] for s in data["steps"]] == ["welcome", "wait-2d", "ask", "offer", "thanks",
                                                "end"]  # fmt: skip
    assert data["steps"][0]["encoding"] == "GSM-7" and data["steps"][0]["segments"] == 1
    assert (data["metadata"]["flow_id"], data["metadata"]["valid"]) == (1, True)


async def test_without_graphviz_the_card_says_so_and_shows_the_rest(bot: Harness) -> None:
    bot.bot.services.diagrams = GraphvizRenderer(binary="no-such-dot-here")
    card = await _new_flow(bot)
    expected = "🖼 No diagram: Graphviz is not installed here (install Graphviz: apt-get install"
    assert expected in str(card.params["text"])
    await _file(bot, "sendDocument", "document", "sms-flow-1-v1.json")
    assert bot.api.calls_to("sendPhoto") == []


async def test_try_it_walks_the_customers_choices(bot: Harness) -> None:
    card = await _new_flow(bot)
    bot.tap(bot.message_id_of(card), buttons(card)["▶️ Try it"])
    walk = await bot.said("Try it: SMS flow #1, version 1")
    assert "We miss you" in str(walk.params["text"])
    assert "👇 <b>What does the customer answer?</b>" in str(walk.params["text"])
    choices = buttons(walk)
    yes = next(label for label in choices if "YES" in label.upper())
    walk_id = bot.message_id_of(walk)
    bot.tap(walk_id, choices[yes])
    bot.tap(walk_id, choices[yes], stale=True)  # a double tap: the same step, nothing else
    after_yes = await bot.said(OFFER.split("{{")[0].strip())
    text = str(after_yes.params["text"])
    assert text.index("We miss you") < text.index("Waits 2 days") < text.index("Great! Your code")

    buys = next(label for label in buttons(after_yes) if "Buy" in label)
    bot.tap(walk_id, buttons(after_yes)[buys])
    ended = await bot.said("🏁 The flow ended")
    ended_text = str(ended.params["text"])
    assert THANKS.split("{{")[0] in ended_text and "The customer got 3 texts." in ended_text
    assert list(buttons(ended)) == ["↩️ Try again"]

    bot.tap(walk_id, "flw:t9:1:1", stale=True)  # no button carries a tenth option
    await _answer(bot, "This button is no longer valid.")
    bot.tap(walk_id, buttons(ended)["↩️ Try again"])
    again = await bot.said("What does the customer answer?")
    ignores = next(label for label in buttons(again) if "Ignore" in label)
    bot.tap(walk_id, buttons(again)[ignores])
    await bot.said("🏁 The flow ended")


async def test_approve_once_export_regenerate_and_edit(bot: Harness) -> None:
    card = await _new_flow(bot)
    card_id = bot.message_id_of(card)
    shown = buttons(card)
    bot.tap(card_id, shown["✅ Approve"])
    await _answer(bot, "Version 1 approved")
    bot.tap(card_id, shown["✅ Approve"], stale=True)  # the double tap changes nothing
    await _answer(bot, "Flow #1 (version 1) was approved already.")
    approved = await bot.said("version 1 · ✅ approved")
    assert "\n✅ Approved by Test · " in str(approved.params["text"])
    assert list(buttons(approved)) == ["▶️ Try it", "🔄 Regenerate", "✏️ Edit description",
                                       "⬇️ Export JSON (v1)"]  # fmt: skip
    bot.tap(card_id, buttons(approved)["⬇️ Export JSON (v1)"])
    exported = await _file(bot, "sendDocument", "document", "sms-flow-1-v1-approved.json")
    assert json.loads(exported.files["document"].data)["metadata"]["version"] == 1

    bot.llm.reply(flow_answer())
    bot.tap(card_id, buttons(approved)["🔄 Regenerate"])
    bot.tap(card_id, buttons(approved)["🔄 Regenerate"], stale=True)
    await _answer(bot, "being designed already")
    second = await bot.said("version 2 · 📝 draft", within=60)
    assert "✅ Version 1 is the approved one." in str(second.params["text"])
    assert bot.message_id_of(second) == card_id
    assert "⬇️ Export JSON (v1)" in buttons(second)  # the approved version, under a draft
    bot.tap(card_id, shown["✅ Approve"], stale=True)  # version 1's old button
    await _answer(bot, "Flow #1 is at version 2 now")

    bot.tap(card_id, buttons(second)["✏️ Edit description"])
    await bot.said("Send the new description for flow #1")
    bot.send("x" * 2001)
    await bot.said("That description is 2001 characters; at most 2000.")
    bot.llm.reply(flow_answer())
    bot.send("Thank VIP customers for their last order")
    third = await bot.said("version 3 · 📝 draft", within=60)
    assert "<i>Thank VIP customers for their last order</i>" in str(third.params["text"])
    assert (await _count(bot, Flow), await _count(bot, FlowVersion)) == (1, 3)

    bot.send("/flow")
    listed = await bot.said("SMS flows</b>")
    assert "— v3 📝 draft (3 versions, v1 approved)" in str(listed.params["text"])
    bot.tap(bot.message_id_of(listed), next(iter(buttons(listed).values())))
    await bot.said("SMS flow #1</b> · version 3")


async def _flow_row(harness: Harness) -> Flow:
    async with harness.bot.services.sessions() as session:
        row = await session.get(Flow, 1)
    assert row is not None
    return row


async def test_reject_once_then_only_a_new_version(bot: Harness) -> None:
    card = await _new_flow(bot)
    card_id, shown = bot.message_id_of(card), buttons(card)
    assert len(shown["❌ Reject"].encode()) <= 64 and shown["❌ Reject"] == "flw:rj:1:1"
    bot.tap(card_id, shown["❌ Reject"])
    await _answer(bot, "🗑 Version 1 rejected.")
    rejected = await bot.said("version 1 · 🗑 rejected")
    assert "\n🗑 Rejected by Test · " in str(rejected.params["text"])
    # Nothing to approve or export: trying it and a new version are what is left.
    assert list(buttons(rejected)) == ["▶️ Try it", "🔄 Regenerate", "✏️ Edit description"]
    row = await _flow_row(bot)
    assert (row.status, row.decided_by, row.approved_version) == ("rejected", ADMIN, None)

    bot.tap(card_id, shown["❌ Reject"], stale=True)  # a double tap: refused, said why
    assert await _answer(bot, "was rejected") == "Flow #1 (version 1) was rejected already."
    # Another admin's tap on the same card (as from a group): refused all the same.
    bot.tap(card_id, shown["✅ Approve"], stale=True, user_id=OTHER_ADMIN, chat_id=ADMIN)
    assert await _answer(bot, "was rejected") == "Flow #1 (version 1) was rejected already."
    row = await _flow_row(bot)
    assert (row.status, row.decided_by, row.approved_version) == ("rejected", ADMIN, None)
    registry = bot.bot.services.metrics.registry
    labels = {"action": "flw", "reason": "stale"}
    assert registry.get_sample_value("copilot_refused_actions_total", labels) == 2

    bot.llm.reply(flow_answer())
    bot.tap(card_id, buttons(rejected)["🔄 Regenerate"])
    second = await bot.said("version 2 · 📝 draft", within=60)
    assert "Rejected by" not in str(second.params["text"])
    assert list(buttons(second))[:2] == ["✅ Approve", "❌ Reject"]
    bot.tap(card_id, shown["❌ Reject"], stale=True)  # version 1's card
    await _answer(bot, "Flow #1 is at version 2 now")
    assert (await _flow_row(bot)).status == "draft"


async def test_a_flow_that_cannot_be_made_valid_is_not_kept(bot: Harness) -> None:
    broken = flow_answer(welcome="Hi {{favourite_colour}} fan! Reply STOP to opt out.")
    for _ in range(3):  # the answer, then two repair rounds
        bot.llm.reply(broken)
    bot.send(f"/flow {DESCRIPTION}")
    failed = await bot.said("I couldn't make a valid flow", within=60)
    text = str(failed.params["text"])
    assert "favourite_colour" in text and "Nothing was saved." in text
    assert await _count(bot, Flow) == 0
