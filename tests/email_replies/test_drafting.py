"""Drafting on SQLite and PostgreSQL: one draft per email, crash-safe, failures kept."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import SMTPSettings
from core.emaildesk.reply_checks import REFUND
from core.emaildesk.reply_engine import DRAFTS_AT_ONCE
from core.errors import LLMError
from domain.email_replies import ReplyStatus, ResponseType, Tone
from storage.models import Order, ReplyDraft
from tests.doubles.fake_llm import FakeLLM
from tests.doubles.smtp_server import ScriptedSmtp
from tests.email_replies.support import START, Desk, answer, desk_on, receive, triage
from tests.pipeline.support import wait_until


async def _drafts(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(ReplyDraft)) or 0)


async def test_a_new_email_gets_a_draft_from_its_types_template(
    d: Desk, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory.begin() as session:
        items = [{"name": "Fig candle", "quantity": 2}]
        session.add(Order(order_number="A-1001", status="shipped",
                          items=items, updated_at=START))  # fmt: skip
    d.llm.queue(triage(), answer())
    email_id = await receive(d)
    await d.engine.idle()

    sort, write = d.llm.requests
    assert sort.prompt is not None and sort.prompt.name == "email_reply_classify"
    assert write.prompt is not None and write.prompt.name == "email_reply_complaint"
    prompt = write.messages[-1].content
    assert "Status: shipped" in prompt and "2 × Fig candle" in prompt
    assert "my candle arrived broken" in prompt
    (update,) = d.shown.updates
    view = update.view
    assert (view.email_id, view.status, view.revision) == (email_id, ReplyStatus.PENDING, 2)
    assert view.response_type is ResponseType.COMPLAINT and view.tone is Tone.APOLOGETIC
    assert view.confidence == pytest.approx(0.82) and not view.low_confidence
    assert view.suggested_actions == ("replacement", "check_order")
    assert view.order_status == "shipped" and view.warnings == ()


async def test_two_replicas_draft_one_email_once(
    session_factory: async_sessionmaker[AsyncSession], smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    llm = FakeLLM()
    llm.queue(triage(), answer())  # enough for ONE draft: a second call would fail the test
    a = await desk_on(session_factory, smtp[1], llm=llm, owner="a")
    b = await desk_on(session_factory, smtp[1], llm=llm, owner="b")
    email_id = await receive(a)
    await b.engine.on_received(email_id)
    await b.engine.sweep()
    await a.engine.idle()
    await b.engine.idle()
    assert await _drafts(session_factory) == 1
    assert len(llm.requests) == 2
    assert len(a.shown.updates) + len(b.shown.updates) == 1


async def test_a_promise_the_order_data_does_not_back_is_flagged(d: Desk) -> None:
    draft = "Dear Ana, we will refund you by Friday. The Candle Shop team"
    d.llm.queue(triage("return"), answer(response_type="return", draft=draft, confidence=0.9))
    await receive(d)
    await d.engine.idle()
    view = d.shown.updates[0].view
    assert REFUND in view.warnings and any("date" in w for w in view.warnings)
    assert view.needs_review and view.confidence == pytest.approx(0.4) and view.low_confidence


async def test_a_failed_first_draft_is_told_once_and_retried_later(d: Desk) -> None:
    d.llm.queue(LLMError("The model is down."), triage(), LLMError("Still down."))
    await receive(d)
    await d.engine.idle()
    (first,) = d.shown.updates
    assert first.failure == "The model is down." and first.view.status is ReplyStatus.DRAFTING
    await d.engine.sweep()  # too early: nothing is asked
    await d.engine.idle()
    assert len(d.llm.requests) == 1
    d.clock.advance(61)
    await d.engine.sweep()
    await d.engine.idle()
    assert len(d.shown.updates) == 1  # failing again is not news
    d.clock.advance(301)
    d.llm.queue(triage(), answer())
    await d.engine.sweep()
    await d.engine.idle()
    assert d.shown.updates[-1].view.status is ReplyStatus.PENDING


async def test_a_draft_a_crash_cut_off_is_taken_over_when_its_lease_ends(
    session_factory: async_sessionmaker[AsyncSession], smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    # The crashed worker claimed the email, then died before asking the model.
    crashed = await desk_on(session_factory, smtp[1], owner="crashed", hooked=False)
    received = await receive(crashed)
    assert await crashed.drafting.claim(received) is not None
    survivor = await desk_on(session_factory, smtp[1], owner="survivor", clock=crashed.clock)
    survivor.llm.queue(triage("inquiry"), answer(response_type="inquiry"))
    await survivor.engine.sweep()
    await survivor.engine.idle()
    assert survivor.llm.requests == []  # the lease is still running
    crashed.clock.advance(121)
    await survivor.engine.sweep()
    await survivor.engine.idle()
    (update,) = survivor.shown.updates
    assert update.view.status is ReplyStatus.PENDING and await _drafts(session_factory) == 1


async def test_regenerate_and_tone_keep_the_draft_when_the_model_fails(d: Desk) -> None:
    d.llm.queue(triage(), answer())
    await receive(d)
    await d.engine.idle()
    view = d.shown.updates[0].view
    started = await d.engine.start_redo(view.id, view.revision, 1001, tone=Tone.FRIENDLY)
    assert started.status is ReplyStatus.DRAFTING and started.draft == view.draft
    d.llm.queue(LLMError("Budget spent."))
    d.engine.redraft_soon(view.id)
    await d.engine.idle()
    kept = d.shown.updates[-1]
    assert kept.failure == "Budget spent." and kept.view.status is ReplyStatus.PENDING
    assert kept.view.draft == view.draft and kept.view.requested_tone is Tone.FRIENDLY
    # The redo skips sorting (the type is known) and asks for the tone, away from the old text.
    request = d.llm.requests[-1]
    assert request.fresh and request.prompt is not None
    assert request.prompt.name == "email_reply_complaint"
    assert "Tone: friendly" in request.messages[0].content
    assert view.draft is not None and view.draft.splitlines()[0] in request.messages[-1].content


async def test_a_backlog_is_drafted_a_few_at_a_time(
    session_factory: async_sessionmaker[AsyncSession], smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    gate = asyncio.Event()
    llm = FakeLLM(gate=gate)
    llm.queue(*[answer() for _ in range(10)])  # each also reads as a sorting answer
    d = await desk_on(session_factory, smtp[1], llm=llm, hooked=False)
    for n in range(5):
        await receive(d, message_id=f"<m{n}@mail.example.com>")
    await d.engine.sweep()
    await wait_until(lambda: _at_least(llm, DRAFTS_AT_ONCE))
    await asyncio.sleep(0.2)  # time for a wrongly started one to show up
    assert len(llm.requests) == DRAFTS_AT_ONCE  # the others wait, unclaimed
    gate.set()
    await d.engine.idle()
    assert await _drafts(session_factory) == 5 and len(d.shown.updates) == 5


async def test_a_clean_stop_hands_a_draft_in_progress_to_the_next_start(
    session_factory: async_sessionmaker[AsyncSession], smtp: tuple[ScriptedSmtp, SMTPSettings]
) -> None:
    slow = FakeLLM(gate=asyncio.Event())  # never answers
    stopping = await desk_on(session_factory, smtp[1], llm=slow, owner="stopping")
    await receive(stopping)
    await wait_until(lambda: _at_least(slow, 1))
    await stopping.engine.stop()
    restarted = await desk_on(session_factory, smtp[1], owner="restarted", clock=stopping.clock)
    restarted.llm.queue(triage(), answer())
    await restarted.engine.sweep()  # no lease to wait for
    await restarted.engine.idle()
    (update,) = restarted.shown.updates
    assert update.view.status is ReplyStatus.PENDING and await _drafts(session_factory) == 1


async def _at_least(llm: FakeLLM, calls: int) -> bool:
    """The model was asked `calls` times (a loaded machine takes its time getting there)."""
    return len(llm.requests) >= calls
