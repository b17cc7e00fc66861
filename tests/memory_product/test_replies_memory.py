"""Reply drafts and semantic memory through the running bot (API in, cards out, a real
aiosmtpd): an edited and sent reply is remembered as edited, and the next customer's
near-identical draft card warns of it, with 👀 See earlier."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.config import MemorySettings, SMTPSettings
from domain.memory import MemoryKind
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.smtp_server import ScriptedSmtp
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import make_settings
from tests.e2e.test_reply_desk import Desk, running_desk
from tests.email_replies.support import answer, triage
from tests.memory_product.conftest import embedding_by_hand

DRAFT = "Dear Ana,\n\nSorry your candle arrived broken: a new one is on its way today.\n\nThe team"
AGAIN = "Dear Bo,\n\nSorry your candle arrived broken: a new one is on its way today.\n\nThe team"


@pytest.fixture
async def desk(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    tmp_path: Path,
    smtp: tuple[ScriptedSmtp, SMTPSettings],
) -> AsyncIterator[Desk]:
    settings = make_settings(telegram_api, llm_server, tmp_path, memory_enabled=True)
    assert isinstance(settings.memory, MemorySettings) and settings.memory.enabled
    async with running_desk(telegram_api, llm_server, settings, smtp) as desk:
        embedding_by_hand(desk.harness)
        yield desk


async def test_a_sent_reply_is_remembered_and_the_next_near_copy_warns(desk: Desk) -> None:
    h = desk.harness
    h.llm.reply(triage())
    h.llm.reply(answer(draft=DRAFT.replace("today", "tomorrow")))
    await desk.email_in()
    card_id, keys = await desk.card("Reply #1")
    assert "👀 See earlier" not in keys
    h.tap(card_id, keys["✏️ Edit"])
    await h.said("Send the new text of reply #1")
    h.send(DRAFT)
    await h.said("Reply #1 updated")
    _, keys = await desk.card("on its way today")
    h.tap(card_id, keys["✅ Approve & send"])
    await h.said("✅ Sent to ana@example.com")
    memory = h.bot.services.memory
    remembered = await memory.get(MemoryKind.REPLY, 1)
    assert remembered is not None and remembered.outcome == "edited"
    assert remembered.label.startswith("the reply to Ana of ")
    assert await memory.embed_pending() == 1

    h.llm.reply(triage())
    h.llm.reply(answer(draft=AGAIN))
    await desk.email_in(message_id="<m3@mail.example.com>", **{"from": "Bo <bo@example.com>"})
    second_id, keys = await desk.card("Reply #2")
    shown = [c for c in h.api.calls if c.ok and c.method in ("sendMessage", "editMessageText")
             and h.message_id_of(c) == second_id]  # fmt: skip
    text = str(shown[-1].params["text"])
    assert f"% similar to {remembered.label}" in text
    assert keys["👀 See earlier"] == "mem:reply:1:0"
    h.tap(second_id, keys["👀 See earlier"])
    earlier = await h.said("The reply to Ana of")
    assert "a new one is on its way today" in str(earlier.params["text"])
