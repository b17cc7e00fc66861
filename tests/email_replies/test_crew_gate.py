"""The review crew on reply drafts, in core (SQLite and PostgreSQL): every draft the model
writes or a person edits is reviewed; Approve & send on an unconfirmed compliance failure
is refused until confirmed; the optimizer's rewrite goes through the edit path."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import SMTPSettings
from core.emaildesk.reply_views import ReplyView
from core.errors import AlreadyDecided, InvalidTransition
from core.posts.crew_gate import ComplianceUnconfirmed
from domain.crew import ItemKind
from domain.email_replies import ReplyStatus
from tests.crew_cards.fakes import FakeCrew, flagging_crew, gate_on
from tests.doubles.smtp_server import ScriptedSmtp
from tests.email_replies.support import Desk, answer, desk_on, receive, triage

FLAGGED = "Dear Ana, we guarantee a full refund today. The Candle Shop team"
DULL = "Dear Ana, noted. The Candle Shop team"
REWRITE = "Dear Ana,\n\nI am so sorry. A new candle leaves today.\n\nThe Candle Shop team"
CLEAN = "Dear Ana, we are sorry; we will check your order. The Candle Shop team"
ADMIN, OTHER = 42, 43


@pytest.fixture
def crew() -> FakeCrew:
    return flagging_crew(flagged=FLAGGED, dull=DULL, rewrite=REWRITE)


@pytest.fixture
async def d(
    session_factory: async_sessionmaker[AsyncSession],
    smtp: tuple[ScriptedSmtp, SMTPSettings],
    crew: FakeCrew,
) -> AsyncIterator[Desk]:
    gate = gate_on(crew)
    desk = await desk_on(session_factory, smtp[1], crew=gate)
    try:
        yield desk
    finally:
        await desk.engine.stop()


async def _drafted(d: Desk, text: str) -> ReplyView:
    d.llm.queue(triage(), answer(draft=text))
    await receive(d)
    await d.engine.idle()
    return d.shown.updates[-1].view


async def test_a_written_draft_is_reviewed_and_approval_waits_for_a_confirmation(
    d: Desk, crew: FakeCrew
) -> None:
    view = await _drafted(d, FLAGGED)
    assert [(row.kind, row.item_id) for row in crew.rows] == [(ItemKind.REPLY, view.id)]
    state = await d.desk.crew(view)
    assert state.blocks_approval and state.review is crew.rows[0]

    with pytest.raises(ComplianceUnconfirmed, match=f"compliance problem in reply #{view.id}"):
        await d.desk.approve(view.id, view.revision, ADMIN)
    assert (await d.desk.get(view.id)).status is ReplyStatus.PENDING
    approved = await d.desk.approve(view.id, view.revision, ADMIN, confirmed=True)
    assert approved.status is ReplyStatus.APPROVED
    assert crew.confirmed == [(ItemKind.REPLY, view.id, ADMIN)]
    with pytest.raises(AlreadyDecided):  # the second admin, a moment later
        await d.desk.approve(view.id, view.revision, OTHER, confirmed=True)
    assert len(crew.confirmed) == 1


async def test_an_edit_is_reviewed_again_and_clean_words_approve_at_once(
    d: Desk, crew: FakeCrew
) -> None:
    view = await _drafted(d, FLAGGED)
    edited = await d.desk.edit(view.id, view.revision, CLEAN, ADMIN)
    assert len(crew.rows) == 2  # the new words have their own review
    assert not (await d.desk.crew(edited)).blocks_approval
    approved = await d.desk.approve(edited.id, edited.revision, ADMIN)
    assert approved.status is ReplyStatus.APPROVED and crew.confirmed == []


async def test_the_rewrite_replaces_the_draft_through_edit_once(d: Desk, crew: FakeCrew) -> None:
    view = await _drafted(d, DULL)
    assert (await d.desk.crew(view)).rewrite == REWRITE

    rewritten = await d.desk.apply_rewrite(view.id, view.revision, ADMIN)
    assert (rewritten.draft, rewritten.edited) == (REWRITE, True)
    assert (rewritten.status, rewritten.revision) == (ReplyStatus.PENDING, view.revision + 1)
    assert crew.rows[-1].content_hash != crew.rows[0].content_hash  # reviewed again
    assert (await d.desk.crew(rewritten)).rewrite is None  # overall 85: above the bar
    with pytest.raises(AlreadyDecided):  # a double tap: the card's revision is gone
        await d.desk.apply_rewrite(view.id, view.revision, ADMIN)
    with pytest.raises(InvalidTransition):  # nothing offered for the new words
        await d.desk.apply_rewrite(rewritten.id, rewritten.revision, ADMIN)
