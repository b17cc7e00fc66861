"""Written a few days ahead (real gateway, fake model server), approved or held, told once."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from core.errors import AlreadyDecided
from tests.design_examples import design_json
from tests.doubles.llm_server import FakeLLMServer
from tests.sequences.conftest import Seq


def draft(subject: str, points: list[str]) -> dict[str, Any]:
    body = f"{subject}: a plain-text email about the new features, long enough to read."
    return {"subject": subject, "body_text": body, "key_points": points}


async def create(seq: Seq) -> int:
    detail = await seq.service.create(design_json("email_sequences/request.json"), actor="api")
    return detail.sequence.id


async def test_each_email_is_written_ahead_with_the_earlier_ones_in_the_prompt(
    seq: Seq, llm_server: FakeLLMServer
) -> None:
    sequence_id = await create(seq)
    assert await seq.writer.write_due() == 0  # first send Mon 11 Jan: more than 3 days off
    seq.clock.value = datetime.fromisoformat("2027-01-08T09:00:00+00:00")
    llm_server.reply(draft("Meet the new scanner", ["faster scans", "free trial"]))
    assert await seq.writer.write_due() == 1
    assert llm_server.requests[0]["model"] == "gpt-4"  # the sequence's ai_agent_id
    seq.clock.value = datetime.fromisoformat("2027-01-12T09:00:00+00:00")  # Fri 15 is near
    llm_server.reply(draft("Why it is faster", ["speed"]))
    assert await seq.writer.write_due() == 1
    prompt = json.dumps(llm_server.requests[1]["messages"])
    assert "Meet the new scanner" in prompt and "faster scans; free trial" in prompt
    assert "promotional" in prompt
    emails = (await seq.service.get(sequence_id)).emails
    assert [(e.status, e.subject) for e in emails[:3]] == [
        ("pending", "Meet the new scanner"), ("pending", "Why it is faster"), ("planned", None),
    ]  # fmt: skip
    waiting = await seq.review.pending_review()
    assert [e.number for e in waiting] == [1, 2]


async def test_an_email_not_approved_by_its_time_is_held_and_the_admins_told_once(
    seq: Seq, llm_server: FakeLLMServer
) -> None:
    sequence_id = await create(seq)
    seq.clock.value = datetime.fromisoformat("2027-01-08T09:00:00+00:00")
    llm_server.reply(draft("Meet the new scanner", ["faster scans"]))
    await seq.writer.write_due()
    first = (await seq.service.get(sequence_id)).emails[0]
    seq.clock.value = first.due_at  # its time: still pending
    seq.alerter.fail_next = True  # Telegram is down for the first try
    assert await seq.held.sweep() == 1
    assert seq.alerter.told == []
    assert await seq.held.sweep() == 0
    assert [(e.number, e.status) for e in seq.alerter.told] == [(1, "held")]
    await seq.held.sweep()
    assert len(seq.alerter.told) == 1  # told once
    held = await seq.review.email(first.id)
    with pytest.raises(AlreadyDecided):
        await seq.review.approve(first.id, first.revision, user_id=7)  # a stale card
    seq.clock.advance(hours=2)
    approved = await seq.review.approve(first.id, held.revision, user_id=7)
    assert approved.status == "approved"
    assert approved.due_at == seq.clock.value  # goes at once
    with pytest.raises(AlreadyDecided):
        await seq.review.reject(first.id, held.revision, user_id=8)  # the second admin


async def test_a_failed_write_is_kept_planned_with_the_reason_and_tried_again(
    seq: Seq, llm_server: FakeLLMServer
) -> None:
    sequence_id = await create(seq)
    seq.clock.value = datetime.fromisoformat("2027-01-08T09:00:00+00:00")
    llm_server.fail(400, times=1)
    assert await seq.writer.write_due() == 0
    first = (await seq.service.get(sequence_id)).emails[0]
    assert first.status == "planned" and first.error
    llm_server.reply(draft("Meet the new scanner", ["faster scans"]))
    assert await seq.writer.write_due() == 1


async def test_approve_the_week_takes_only_seen_emails_and_edit_needs_a_new_approval(
    seq: Seq, llm_server: FakeLLMServer
) -> None:
    sequence_id = await create(seq)
    seq.clock.value = datetime.fromisoformat("2027-01-12T09:00:00+00:00")  # Tuesday
    for n in range(2):
        llm_server.reply(draft(f"Email {n + 1}", [f"point {n + 1}"]))
    await seq.writer.write_due()  # Mon 11 (past) and Fri 15; not Wed 20
    emails = (await seq.service.get(sequence_id)).emails
    assert [e.status for e in emails[:3]] == ["pending", "pending", "planned"]
    await seq.review.mark_seen([emails[0].id, emails[1].id])
    approved = await seq.review.approve_week(sequence_id, user_id=7)
    assert [e.number for e in approved] == [2]  # #1's time has passed: it needs its own tap
    edited = await seq.review.edit(
        emails[1].id, approved[0].revision, 7, subject="Meet the scanner, again"
    )
    assert (edited.status, edited.subject, edited.approved_at) == (
        "pending", "Meet the scanner, again", None,
    )  # fmt: skip
