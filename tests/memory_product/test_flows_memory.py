"""SMS flows and semantic memory through the whole bot: an approved flow's texts are
remembered one per SMS, and the next flow's prompt is shown them (and the call says so); a
newer version's memory has its texts only, on SQLite and PostgreSQL, and a search never
returns a text that was forgotten (this replica's exact search, another's, or pgvector)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.memory.embedder import BundledEmbedder
from core.memory.record import SMS_ID_FACTOR, sms_ids
from core.memory.retrieval import BUILD_ON
from core.memory.service import MemoryService
from domain.memory import MemoryEvent, MemoryKind
from storage.models import LLMCall, MemoryItem, MemoryItemEvent
from tests.campaigns.helpers import MutableClock
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.campaign_support import buttons
from tests.e2e.harness import Harness, make_settings, running
from tests.flows_tg.sample import OFFER, THANKS, WELCOME, flow_answer
from tests.memory_product.conftest import connected, embedding_by_hand
from tests.sequences.conftest import NOW

# Version 2: the welcome says it differently, and the thank-you text is gone.
WELCOME_2 = "Hi {{first_name}}! It's been a while. Reply YES for 15% off. Reply STOP to opt out."
ORDER_THANKS = "Thanks for your order {{order_number}}! See you soon again."  # 95 % like THANKS


@pytest.fixture
async def bot(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path
) -> AsyncIterator[Harness]:
    settings = make_settings(
        telegram_api, llm_server, tmp_path, llm_timeout_s=60, memory_enabled=True
    )
    async with running(telegram_api, llm_server, settings) as harness:
        yield embedding_by_hand(harness)


async def test_an_approved_flow_is_remembered_and_shown_to_the_next_one(bot: Harness) -> None:
    bot.llm.reply(flow_answer())
    bot.send("/flow Win back lapsed VIP customers with a 15% discount")
    card = await bot.said("SMS flow #1</b> · version 1", within=60)
    bot.tap(bot.message_id_of(card), buttons(card)["✅ Approve"])
    await bot.said("version 1 · ✅ approved")
    memory = bot.bot.services.memory
    texts = {}
    for index in (0, 3, 4):  # welcome, offer, thanks: the steps that send an SMS
        item = await memory.get(MemoryKind.SMS, SMS_ID_FACTOR + index)
        assert item is not None and item.outcome == "approved"
        texts[index] = (item.text, item.label)
    assert texts == {
        0: (WELCOME, "SMS 1 of flow #1 (v1)"),
        3: (OFFER, "SMS 2 of flow #1 (v1)"),
        4: (THANKS, "SMS 3 of flow #1 (v1)"),
    }
    assert await memory.get(MemoryKind.SMS, SMS_ID_FACTOR + 1) is None  # the delay
    assert await memory.embed_pending() == 3

    bot.llm.reply(flow_answer())
    bot.send("/flow Win back VIP customers who have not ordered for months")
    await bot.said("SMS flow #2</b> · version 1", within=60)
    prompt = json.dumps(bot.llm.requests[-1]["messages"])
    assert BUILD_ON in prompt and "SMS 1 of flow #1 (v1)" in prompt
    async with bot.bot.services.sessions() as session:
        call = await session.scalar(select(LLMCall).order_by(LLMCall.id.desc()).limit(1))
    assert call is not None and call.template_name == "flow_generate"
    assert call.retrieval is not None
    assert {row["kind"] for row in call.retrieval} == {"sms"}
    assert SMS_ID_FACTOR in {row["item_id"] for row in call.retrieval}


def two_texts() -> dict[str, object]:
    """The sample flow without its thank-you: welcome, wait, ask, offer → end."""
    flow = flow_answer(WELCOME_2)
    steps = [step for step in flow["steps"] if step["id"] != "thanks"]
    steps[3]["events"][0]["nextStepID"] = "end"  # the offer's purchase
    return {**flow, "steps": steps}


async def sms_rows(harness: Harness, flow_id: int) -> dict[int, tuple[str, str, str]]:
    ids = sms_ids(flow_id)
    async with harness.bot.services.sessions() as session:
        rows = await session.scalars(
            select(MemoryItem).where(
                MemoryItem.kind == "sms",
                MemoryItem.item_id >= ids.start,
                MemoryItem.item_id < ids.stop,
            )
        )
        return {row.item_id: (row.text, row.label, row.outcome) for row in rows}


async def test_memory_keeps_the_latest_versions_texts_only(
    telegram_api: TelegramApiDouble, llm_server: FakeLLMServer, tmp_path: Path, database_url: str
) -> None:
    settings = make_settings(
        telegram_api, llm_server, tmp_path, llm_timeout_s=60, memory_enabled=True,
        database_url=database_url,
    )  # fmt: skip
    async with running(telegram_api, llm_server, settings) as bot:
        embedding_by_hand(bot)
        bot.llm.reply(flow_answer())
        bot.send("/flow Win back lapsed VIP customers with a 15% discount")
        card = await bot.said("SMS flow #1</b> · version 1", within=60)
        card_id = bot.message_id_of(card)
        bot.tap(card_id, buttons(card)["✅ Approve"])
        approved = await bot.said("version 1 · ✅ approved")
        memory = bot.bot.services.memory
        assert sorted(await sms_rows(bot, 1)) == [SMS_ID_FACTOR + i for i in (0, 3, 4)]
        assert await memory.embed_pending() == 3
        # The search has seen all three (the exact search loads them into its arrays).
        found = await memory.near_repeat(THANKS, persona_id=None)
        assert found is not None and found.item.item_id == SMS_ID_FACTOR + 4

        bot.tap(card_id, buttons(approved)["✏️ Edit description"])
        await bot.said("Send the new description for flow #1")
        bot.llm.reply(two_texts())
        bot.send("Win back VIP customers, one reminder only")
        second = await bot.said("version 2 · 📝 draft", within=60)
        assert len(await sms_rows(bot, 1)) == 3  # a draft changes nothing in memory
        bot.tap(bot.message_id_of(second), buttons(second)["✅ Approve"])
        await bot.said("version 2 · ✅ approved")

        assert await sms_rows(bot, 1) == {
            SMS_ID_FACTOR: (WELCOME_2, "SMS 1 of flow #1 (v2)", "approved"),
            SMS_ID_FACTOR + 3: (OFFER, "SMS 2 of flow #1 (v2)", "approved"),
        }
        async with bot.bot.services.sessions() as session:
            kept = await session.scalars(select(MemoryItem.id))
            events = await session.scalars(select(MemoryItemEvent.memory_id))
            assert set(events) <= set(kept)  # the forgotten text's events went with it
        assert await memory.get(MemoryKind.SMS, SMS_ID_FACTOR + 4) is None
        assert await memory.embed_pending() == 1  # the new welcome
        assert await memory.near_repeat(THANKS, persona_id=None) is None
        similar = await memory.similar(THANKS, persona_id=None, k=5)
        assert {match.item.item_id for match in similar} == {SMS_ID_FACTOR, SMS_ID_FACTOR + 3}

        # Version 3 has the thank-you again, and is rejected: version 2 stays the approved
        # one (the one exported), so memory keeps its texts as they were.
        kept_rows = await sms_rows(bot, 1)
        third_id = bot.message_id_of(second)
        bot.llm.reply(flow_answer())
        bot.tap(third_id, buttons(second)["🔄 Regenerate"])
        third = await bot.said("version 3 · 📝 draft", within=60)
        bot.tap(third_id, buttons(third)["❌ Reject"])
        await bot.said("version 3 · 🗑 rejected")
        assert await sms_rows(bot, 1) == kept_rows
        assert await memory.embed_pending() == 0
        assert await memory.near_repeat(THANKS, persona_id=None) is None


async def test_a_rejected_first_version_is_remembered_as_rejected(bot: Harness) -> None:
    bot.llm.reply(flow_answer())
    bot.send("/flow Win back lapsed VIP customers with a 15% discount")
    card = await bot.said("SMS flow #1</b> · version 1", within=60)
    bot.tap(bot.message_id_of(card), buttons(card)["❌ Reject"])
    await bot.said("version 1 · 🗑 rejected")
    rows = await sms_rows(bot, 1)
    assert {item_id: row[1:] for item_id, row in rows.items()} == {
        SMS_ID_FACTOR + i: (f"SMS {n} of flow #1 (v1)", "rejected")
        for n, i in enumerate((0, 3, 4), start=1)
    }
    assert await bot.bot.services.memory.embed_pending() == 3
    found = await bot.bot.services.memory.near_repeat(THANKS, persona_id=None)
    assert found is not None and found.item.outcome == "rejected"


async def test_another_replicas_search_drops_a_forgotten_text(
    session_factory: async_sessionmaker[AsyncSession], bundled: BundledEmbedder
) -> None:
    """A replica whose exact search loaded a text before another forgot it: the gone row
    never takes the best place, the next best answers."""
    clock = MutableClock(NOW)
    here = connected(session_factory, clock, bundled)[0]
    replica = MemoryService(session_factory, clock, bundled, window_days=90, near_repeat=0.73)
    for item_id, text in ((SMS_ID_FACTOR, WELCOME), (SMS_ID_FACTOR + 4, THANKS)):
        await here.remember(
            kind=MemoryKind.SMS, item_id=item_id, persona_id=None, text=text,
            label=f"SMS of flow #1 ({item_id})", event=MemoryEvent.APPROVED,
        )  # fmt: skip
    await here.remember(
        kind=MemoryKind.POST, item_id=5, persona_id=None, text=ORDER_THANKS,
        label="the post of 1 Dec", event=MemoryEvent.APPROVED,
    )  # fmt: skip
    assert await here.embed_pending() == 3
    for memory in (here, replica):  # both load the three vectors
        found = await memory.near_repeat(THANKS, persona_id=None)
        assert found is not None and found.item.item_id == SMS_ID_FACTOR + 4

    await here.forget_others(MemoryKind.SMS, sms_ids(1), keep={SMS_ID_FACTOR})
    for memory in (here, replica):
        found = await memory.near_repeat(THANKS, persona_id=None)
        assert found is not None and found.item.kind == MemoryKind.POST
        matches = await memory.similar(THANKS, persona_id=None, k=2)
        assert [m.item.item_id for m in matches] == [5, SMS_ID_FACTOR]
    # Another flow's texts, and other kinds with the same numbers, are left alone.
    await here.forget_others(MemoryKind.SMS, sms_ids(2), keep=set())
    assert await here.get(MemoryKind.SMS, SMS_ID_FACTOR) is not None
    assert await here.get(MemoryKind.POST, 5) is not None
