"""What a bounce report does to the email it is about.

Found by the original Message-ID, which is stable per delivery and per reply draft:
- a sequence delivery that failed for good (Action: failed) is `bounced`; with a 5.x.x
  status (a hard bounce: the address does not take mail) the address is suppressed for
  every sequence too, so it is never mailed again. A 4.x.x failure (the remote side
  gave up after retrying) is `bounced` but the address is kept;
- a delay (Action: delayed) is noted on a sent delivery, nothing more;
- a reply-desk reply that failed keeps the bounce as its error (it stays `sent`), so
  its card can say the customer did not get it; the report names it.
Says what was done (lines) and which reply's card to redraw; the report itself is
stored as automatic mail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.emaildesk.reports import DeliveryReport, RecipientReport
from domain.mailing import SuppressionReason
from storage.repos import bounces as repo
from storage.repos import suppressions
from storage.repos.bounces import SentDelivery, SentReply

NOT_OURS = "it is not about an email the bot sent (no matching Message-ID)"


@dataclass(frozen=True)
class BounceOutcome:
    lines: list[str] = field(default_factory=list)  # what was done, for the stored reason
    reply_id: int | None = None  # a reply draft marked bounced: its cards to redraw


async def record_bounce(
    session: AsyncSession, report: DeliveryReport, *, now: datetime
) -> BounceOutcome:
    original = report.original_message_id
    if original is None:
        return BounceOutcome(["the report does not name the original message, so nothing "
                              "was matched"])  # fmt: skip
    sent = await repo.delivery(session, original)
    if sent is not None:
        return BounceOutcome(await _delivery(session, report, sent, now))
    reply = await repo.reply(session, original)
    if reply is not None:
        return await _reply(session, report, reply, now)
    return BounceOutcome([NOT_OURS])


async def _reply(
    session: AsyncSession, report: DeliveryReport, reply: SentReply, now: datetime
) -> BounceOutcome:
    what = "; ".join(item.summary() for item in report.recipients[:3])
    line = f"about the reply to {reply.to} (customer email #{reply.email_id}): {what}"
    item = report.for_address(reply.to)
    if item is None or not item.failed:
        return BounceOutcome([line])  # a delay: the reply may still arrive
    marked = await repo.mark_reply_bounced(session, reply.draft_id, error=_error(item), now=now)
    return BounceOutcome([line], reply.draft_id if marked else None)


async def _delivery(
    session: AsyncSession, report: DeliveryReport, sent: SentDelivery, now: datetime
) -> list[str]:
    item = report.for_address(sent.recipient)
    about = f"sequence email #{sent.email_number} of “{sent.sequence_name}” to {sent.recipient}"
    if item is None:
        named = "other recipients" if report.recipients else "no recipient"
        return [f"about {about}, but it names {named}; nothing changed"]
    error = _error(item)
    if item.failed:
        changed = await repo.mark_bounced(session, sent.delivery_id, code=item.status,
                                          error=error, now=now)  # fmt: skip
        lines = [f"{about}: bounced" if changed else f"{about}: already {sent.status}"]
        if item.permanent:
            await suppressions.suppress(
                session, sent.recipient, reason=SuppressionReason.BOUNCED,
                source=f"bounce {item.status}", now=now,
            )  # fmt: skip
            lines.append(f"{sent.recipient} is suppressed: no sequence mails it again")
        return lines
    if item.action == "delayed":
        await repo.note_delayed(session, sent.delivery_id, code=item.status, error=error, now=now)
        return [f"{about}: delayed, still being tried by the receiving side (noted)"]
    return [f"{about}: {item.action}"]


def _error(item: RecipientReport) -> str:
    kind = "Bounced" if item.failed else "Delayed"
    words = f": {item.diagnostic}" if item.diagnostic else ""
    return f"{kind} ({item.status or 'no status'}){words}"
