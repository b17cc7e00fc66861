"""The review crew on sequence emails, in core (SQLite and PostgreSQL): every text the
writer stores or a person edits is reviewed; approving one with an unconfirmed compliance
failure is refused until confirmed, the week's approval leaves it; the optimizer's
rewrite goes through the edit path."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.config import LLMSettings, SequenceSettings
from core.errors import AlreadyDecided, InvalidTransition
from core.llm.gateway import LLMGateway
from core.metrics import Metrics
from core.posts.crew_gate import ComplianceUnconfirmed
from core.prompting.registry import PromptRegistry
from core.sequences.review import SequenceReview
from core.sequences.views import SequenceEmailView
from core.sequences.writer import SequenceWriter
from domain.crew import ItemKind
from domain.sequences import SequenceEmailStatus as E
from tests.crew_cards.fakes import FakeCrew, flagging_crew, gate_on
from tests.design_examples import design_json
from tests.doubles.llm_server import FakeLLMServer
from tests.sequences.conftest import BERLIN, PROMPTS, Seq

FLAGGED = "Our wax is 100% non-toxic and cures headaches: a plain-text email."
DULL = "Candles are here. A plain-text email that is long enough to read."
REWRITE = "Our new beeswax candles burn clean for 40 hours: light one tonight."
CLEAN = "Trim the wick before every burn: a plain-text email about candle care."
ADMIN, OTHER = 7, 8
TUESDAY = datetime.fromisoformat("2027-01-12T09:00:00+00:00")


@pytest.fixture
def crew() -> FakeCrew:
    return flagging_crew(flagged=FLAGGED, dull=DULL, rewrite=REWRITE)


@pytest.fixture
async def gated(
    seq: Seq, crew: FakeCrew, llm_settings: LLMSettings
) -> tuple[SequenceWriter, SequenceReview]:
    """A writer and a review like the fixture's, with the crew connected (as
    bot/services.py does)."""
    gate = gate_on(crew)
    gateway = LLMGateway(llm_settings, seq.sessions, Metrics(), seq.clock, retry_base_delay_s=0.001)
    prompts = await PromptRegistry.load(PROMPTS)
    settings = SequenceSettings(_env_file=None)
    writer = SequenceWriter(seq.sessions, prompts, gateway, seq.clock, settings, crew=gate)
    return writer, SequenceReview(seq.sessions, seq.clock, BERLIN, writer, crew=gate)


async def _written(
    seq: Seq, llm_server: FakeLLMServer, writer: SequenceWriter, *bodies: str
) -> list[SequenceEmailView]:
    """Tuesday: Mon 11 (past) and Fri 15 are written, with these bodies."""
    detail = await seq.service.create(design_json("email_sequences/request.json"), actor="api")
    seq.clock.value = TUESDAY
    for number, body in enumerate(bodies, start=1):
        llm_server.reply(_answer(number, body))
    assert await writer.write_due() == len(bodies)
    emails = (await seq.service.get(detail.sequence.id)).emails
    return [email for email in emails if email.status in (E.PENDING, E.HELD)]


def _answer(number: int, body: str) -> dict[str, Any]:
    return {"subject": f"Email {number}", "body_text": body, "key_points": [f"point {number}"]}


async def test_a_written_email_is_reviewed_and_its_approval_waits_for_a_confirmation(
    seq: Seq,
    llm_server: FakeLLMServer,
    crew: FakeCrew,
    gated: tuple[SequenceWriter, SequenceReview],
) -> None:
    writer, review = gated
    first, _ = await _written(seq, llm_server, writer, FLAGGED, CLEAN)
    assert [(row.kind, row.item_id) for row in crew.rows] == [
        (ItemKind.SEQUENCE_EMAIL, first.id), (ItemKind.SEQUENCE_EMAIL, first.id + 1),
    ]  # fmt: skip
    state = await review.crew(first)
    assert state.blocks_approval and state.review is crew.rows[0]

    with pytest.raises(ComplianceUnconfirmed, match="sequence email #"):
        await review.approve(first.id, first.revision, ADMIN)
    assert (await review.email(first.id)).status == E.PENDING
    approved = await review.approve(first.id, first.revision, ADMIN, confirmed=True)
    assert approved.status == E.APPROVED
    assert crew.confirmed == [(ItemKind.SEQUENCE_EMAIL, first.id, ADMIN)]
    with pytest.raises(AlreadyDecided):  # the second admin, a moment later
        await review.approve(first.id, first.revision, OTHER, confirmed=True)
    assert len(crew.confirmed) == 1


async def test_the_weeks_approval_leaves_a_flagged_email_and_names_it(
    seq: Seq, llm_server: FakeLLMServer, gated: tuple[SequenceWriter, SequenceReview]
) -> None:
    writer, review = gated
    first, second = await _written(seq, llm_server, writer, CLEAN, FLAGGED)
    await review.mark_seen([first.id, second.id])
    assert [email.number for email in await review.needs_check(first.sequence_id)] == [2]
    # #1's time has passed (it needs its own tap); #2 is flagged: nothing is approved.
    assert await review.approve_week(first.sequence_id, ADMIN) == ()
    assert (await review.email(second.id)).status == E.PENDING
    edited = await review.edit(second.id, second.revision, ADMIN, body_text=CLEAN)
    assert await review.needs_check(first.sequence_id) == ()  # new words, a clean review
    assert [e.number for e in await review.approve_week(first.sequence_id, ADMIN)] == [2]
    assert (await review.email(edited.id)).status == E.APPROVED


async def test_the_rewrite_replaces_the_body_through_edit_once(
    seq: Seq,
    llm_server: FakeLLMServer,
    crew: FakeCrew,
    gated: tuple[SequenceWriter, SequenceReview],
) -> None:
    writer, review = gated
    dull, clean = await _written(seq, llm_server, writer, DULL, CLEAN)
    assert (await review.crew(dull)).rewrite == REWRITE
    assert (await review.crew(clean)).rewrite is None  # overall 85: above the bar

    rewritten = await review.apply_rewrite(dull.id, dull.revision, ADMIN)
    assert (rewritten.body_text, rewritten.subject) == (REWRITE, "Email 1")
    assert (rewritten.status, rewritten.revision) == (E.PENDING, dull.revision + 1)
    assert crew.rows[-1].content_hash != crew.rows[0].content_hash  # reviewed again
    assert (await review.crew(rewritten)).rewrite is None
    with pytest.raises(AlreadyDecided):  # a double tap: the card's revision is gone
        await review.apply_rewrite(dull.id, dull.revision, ADMIN)
    with pytest.raises(InvalidTransition):  # nothing offered for clean words
        await review.apply_rewrite(clean.id, clean.revision, ADMIN)
