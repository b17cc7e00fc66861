"""Sending an approved reply, once, over SMTP (core.mailing), and what each outcome means.

The reply is claimed (approved → sending, with a lease) before the connection opens, so
two replicas or a double wake-up send it once. It goes only to the stored email's From
address, never to an address from model text, and threads under the customer's mail:
In-Reply-To is their Message-ID, References their References plus it. Its own Message-ID
is set on the first attempt and kept, so a resend a person asks for is the same message.

- accepted: sent;
- a 4xx or no connection (nothing was accepted): approved again, tried after a backoff,
  failed after the last try;
- a 5xx, or a header with CR/LF: failed, with the server's reason (🔁 Retry on the card);
- the connection broke after DATA started: unknown, never resent until a person says so.
A worker that died mid-send leaves `sending` with a lapsed lease: unknown, too.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.config import SMTPSettings
from core.emaildesk.reply_views import ReplyView
from core.errors import CopilotError
from core.mailing.errors import MailOutcomeUnknown, MailRejected, MailTransient
from core.mailing.outgoing import OutgoingEmail, build_message, domain_of, stable_message_id
from core.mailing.smtp import send_one
from domain.email_replies import ReplyStatus
from storage.models import InboundEmail, ReplyDraft
from storage.repos import email_replies as repo

log = logging.getLogger(__name__)
R = ReplyStatus
# Waits between attempts after a 4xx; after the last one the reply is failed.
RETRY_DELAYS_S = (60.0, 300.0, 900.0, 3600.0)
ABANDONED = (
    "The bot stopped while sending this reply, so it may or may not have gone out. "
    "Check the mailbox, then tell me."
)
MAX_REFERENCES = 20  # keep the header short on a long thread: the newest ids matter


class ReplySender:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        smtp: SMTPSettings,
        clock: Clock,
        *,
        owner: str,
        timeout_s: float = 30.0,
        retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S,
    ) -> None:
        self._sessions = sessions
        self._smtp = smtp
        self._clock = clock
        self._owner = owner
        self._timeout_s = timeout_s
        # A lease outlasts the longest send: connect, MAIL, RCPT, DATA each time out.
        self._lease = timedelta(seconds=timeout_s * 5 + 30)
        self.retry_delays_s = retry_delays_s

    async def due(self) -> list[int]:
        async with self._sessions() as session:
            return await repo.sends_due(session, self._clock.now())

    async def settle_abandoned(self) -> list[int]:
        """Sends a dead worker left behind become `unknown`; their ids."""
        async with self._sessions.begin() as session:
            return await repo.abandoned_sends(session, self._clock.now(), ABANDONED)

    async def send(self, reply_id: int) -> bool:
        """Send it if it is approved and due; False when there was nothing to do here."""
        message_id = stable_message_id(f"reply-{reply_id}", domain_of(self._smtp.email_from or ""))
        now = self._clock.now()
        async with self._sessions.begin() as session:
            claimed = await repo.claim_send(
                session, reply_id, owner=self._owner, until=now + self._lease, now=now,
                message_id=message_id,
            )  # fmt: skip
            if not claimed:
                return False
            row = await repo.get(session, reply_id)
            email = await repo.email(session, row.email_id) if row else None
        assert row is not None
        status, values = await self._attempt(row, email)
        async with self._sessions.begin() as session:
            await repo.finish_send(session, reply_id, self._owner, to=status, values=values)
        return True

    async def _attempt(
        self, row: ReplyDraft, email: InboundEmail | None
    ) -> tuple[ReplyStatus, dict[str, object]]:
        try:
            if email is None or not row.draft:
                return R.FAILED, {"error": "The customer's email or the draft is gone."}
            message = build_message(_outgoing(row, email), sender=self._smtp.email_from or "")
            await send_one(self._smtp, message, timeout_s=self._timeout_s)
        except MailTransient as error:
            return self._later(row, str(error))
        except MailRejected as error:
            return R.FAILED, {"error": str(error)}
        except MailOutcomeUnknown as error:
            return R.UNKNOWN, {"error": str(error)}
        except CopilotError as error:  # a header with CR/LF, sending switched off
            return R.FAILED, {"error": str(error)}
        except Exception:  # a bug: we can't tell how far it got, so never resend blindly
            log.exception("sending reply #%s failed unexpectedly", row.id)
            return R.UNKNOWN, {"error": "Sending stopped on an unexpected error; it may have "
                               "gone out. Check the mailbox, then tell me."}  # fmt: skip
        return R.SENT, {"sent_at": self._clock.now(), "error": None, "next_attempt_at": None}

    def _later(self, row: ReplyDraft, reason: str) -> tuple[ReplyStatus, dict[str, object]]:
        if row.attempts > len(self.retry_delays_s):  # `attempts` counts this one
            return R.FAILED, {"error": f"{reason} Gave up after {row.attempts} tries."}
        wait = timedelta(seconds=self.retry_delays_s[row.attempts - 1])
        return R.APPROVED, {"error": reason, "next_attempt_at": self._clock.now() + wait}


def reply_subject(subject: str) -> str:
    subject = subject.strip()
    if not subject:
        return "Re: your email"
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def _outgoing(row: ReplyDraft, email: InboundEmail) -> OutgoingEmail:
    """To the stored From address only (Reply-To is shown on the card, not followed)."""
    references = [ref for ref in (email.references or []) if ref]
    if email.message_id and email.message_id not in references:
        references.append(email.message_id)
    return OutgoingEmail(
        to=email.from_address,
        subject=reply_subject(email.subject),
        text=row.draft or "",
        message_id=row.message_id,
        in_reply_to=email.message_id,
        references=tuple(references[-MAX_REFERENCES:]),
    )


def is_retrying(view: ReplyView) -> bool:
    """Approved with an error: a 4xx, another try is scheduled."""
    return view.status == R.APPROVED and view.error is not None
