"""Reply drafts record their outcomes through the desk as the bot assembles it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.emaildesk.reply_views import ReplyView
from domain.email_replies import Tone
from storage.repos import outcomes as repo
from tests.email_replies.conftest import d
from tests.email_replies.support import Desk, answer, receive, triage

Sessions = async_sessionmaker[AsyncSession]
ADMIN = 1001

__all__ = ["d"]  # the reply desk's fixture, used here as it is


async def drafted(d: Desk) -> ReplyView:
    d.llm.queue(triage(), answer())
    await receive(d)
    await d.engine.idle()
    return d.shown.updates[-1].view


async def outcomes(sessions: Sessions, reply_id: int) -> list[str | None]:
    async with sessions() as session:
        return [row.outcome for row in await repo.for_item(session, "reply", reply_id)]


async def test_a_reply_re_toned_edited_then_approved(d: Desk, session_factory: Sessions) -> None:
    view = await drafted(d)
    started = await d.engine.start_redo(view.id, view.revision, ADMIN, tone=Tone.FRIENDLY)
    d.llm.queue(answer(draft="Hi Ana! So sorry about the candle. A new one is on its way."))
    d.engine.redraft_soon(started.id)
    await d.engine.idle()
    redone = d.shown.updates[-1].view
    edited = await d.desk.edit(redone.id, redone.revision, "Hi Ana, a new candle is coming.", ADMIN)
    await d.desk.approve(edited.id, edited.revision, ADMIN)
    assert await outcomes(session_factory, view.id) == ["regenerated", "approved_after_edit"]


async def test_a_rejected_reply_and_a_call_off_after_approval(
    d: Desk, session_factory: Sessions
) -> None:
    view = await drafted(d)
    await d.desk.reject(view.id, view.revision, ADMIN)
    assert await outcomes(session_factory, view.id) == ["rejected"]
    other = await drafted_for_another_email(d)
    approved = await d.desk.approve(other.id, other.revision, ADMIN)
    # Called off before it was sent: the draft was still accepted when it was approved.
    await d.desk.reject(approved.id, approved.revision, ADMIN)
    assert await outcomes(session_factory, other.id) == ["approved_as_is"]


async def drafted_for_another_email(d: Desk) -> ReplyView:
    d.llm.queue(triage(), answer())
    await receive(d, message_id="<m3@mail.example.com>", subject="Another question")
    await d.engine.idle()
    return d.shown.updates[-1].view
