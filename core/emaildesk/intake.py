"""Customer emails in: read, checked, stored once, then handed on.

Every way a mail arrives (the API, /email in Telegram, the IMAP poller) ends here:

    intake = EmailIntake(sessions, clock)
    intake.on_received(drafts.wake)          # D2's drafting engine, say
    received = await intake.receive_raw(raw, source=EmailSource.IMAP, source_ref=ref)
    received = await intake.receive_fields(body, source=EmailSource.API, source_ref=None)
    await intake.record_unreadable(EmailSource.IMAP, ref, "over 10 MB", size=n)

Automatic mail (a bounce, an auto-reply, a mailing list: core.emaildesk.automatic) is
stored as `automatic` with its reason and handed to no hook, so it never gets a reply
draft; a bounce report is matched to the email it is about (core.mailing.bounces) in
the same transaction that stores it.

The same mail twice (its Message-ID, or the same source ref, or for a mail without a
Message-ID the same sender, subject, text and date) is stored once: the second call
returns the first row with `new=False`, and no hook runs for it. Hooks run after the
commit, so what they read is there; a hook that fails is logged and the mail stays
stored (the drafting engine's start-up sweep finds it).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.emaildesk.fields import validate_fields
from core.emaildesk.order_refs import candidates
from core.emaildesk.parse import Unreadable, parse_raw
from core.emaildesk.quoting import strip_quoted
from core.emaildesk.types import Attachment, ParsedEmail, ReceivedEmail
from core.emaildesk.views import StoredEmail
from core.errors import NotFound
from core.mailing.bounces import record_bounce
from core.orders.views import OrderView
from domain.emaildesk import EmailSource, InboundStatus
from storage.repos import inbound_emails as repo
from storage.repos import orders as orders_repo

log = logging.getLogger(__name__)

ReceivedHook = Callable[[int], Awaitable[None]]


class EmailIntake:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._hooks: list[ReceivedHook] = []
        self._bounce_hooks: list[ReceivedHook] = []

    def on_received(self, hook: ReceivedHook) -> None:
        """`await hook(email_id)` after each new readable mail is committed. Keep it
        quick (wake a worker); it runs in the caller's request or poll."""
        self._hooks.append(hook)

    def on_reply_bounced(self, hook: ReceivedHook) -> None:
        """`await hook(reply_draft_id)` after a bounce of a sent reply is committed (to
        redraw its cards)."""
        self._bounce_hooks.append(hook)

    async def receive_raw(
        self, raw: bytes, *, source: EmailSource, source_ref: str | None
    ) -> ReceivedEmail:
        """A raw RFC 5322 mail. One that can't be read is recorded as unreadable (the
        result says why); this never raises for a bad mail."""
        try:
            parsed = parse_raw(raw)
        except Unreadable as exc:
            key = "raw:" + hashlib.sha256(raw).hexdigest()
            return await self._unreadable(
                source, source_ref, exc.reason, key, len(raw), exc.subject
            )
        return await self.receive_parsed(parsed, source=source, source_ref=source_ref)

    async def receive_fields(
        self, fields: object, *, source: EmailSource, source_ref: str | None
    ) -> ReceivedEmail:
        """A mail as the API's JSON fields (any JSON value: a non-object is refused too);
        ValidationFailed lists every problem."""
        parsed = validate_fields(fields)
        return await self.receive_parsed(parsed, source=source, source_ref=source_ref)

    async def receive_parsed(
        self, parsed: ParsedEmail, *, source: EmailSource, source_ref: str | None
    ) -> ReceivedEmail:
        async with self._sessions.begin() as session:
            number = parsed.order_number or await _find_order_number(session, parsed)
            values = _values(parsed, number, source, source_ref, self._clock)
            email_id = await repo.insert_once(session, values)
            if email_id is None:
                return await _duplicate(session, values)
            automatic, bounced_reply = await self._automatic(session, email_id, parsed)
        if automatic is None:
            await self._announce(self._hooks, email_id)
        else:
            log.info("Automatic mail #%s stored, not answered: %s", email_id, automatic)
        if bounced_reply is not None:
            await self._announce(self._bounce_hooks, bounced_reply)
        return ReceivedEmail(
            id=email_id,
            new=True,
            from_address=parsed.from_address,
            subject=parsed.subject,
            order_number=number,
            attachments=parsed.attachments,
            automatic_reason=automatic,
        )

    async def record_unreadable(
        self,
        source: EmailSource,
        source_ref: str | None,
        reason: str,
        *,
        size: int | None = None,
        subject: str | None = None,
    ) -> ReceivedEmail:
        """A mail that was not (or could not be) read, e.g. one over 10 MB the poller did
        not download. Recorded once per source ref."""
        key = f"ref:{source}:{source_ref}" if source_ref else f"once:{uuid.uuid4().hex}"
        return await self._unreadable(source, source_ref, reason, key, size, subject)

    async def get(self, email_id: int) -> StoredEmail:
        async with self._sessions() as session:
            row = await repo.get(session, email_id)
            if row is None:
                raise NotFound(f"Email #{email_id} does not exist.")
            order = await orders_repo.get(session, row.order_number) if row.order_number else None
            return StoredEmail.from_row(row, OrderView.from_row(order) if order else None)

    async def recent(self, *, limit: int = 10) -> tuple[StoredEmail, ...]:
        async with self._sessions() as session:
            rows = await repo.recent(session, limit=limit)
        return tuple(StoredEmail.from_row(row, None) for row in rows)

    async def _unreadable(
        self,
        source: EmailSource,
        source_ref: str | None,
        reason: str,
        key: str,
        size: int | None,
        subject: str | None,
    ) -> ReceivedEmail:
        values: dict[str, Any] = {
            "source": source.value, "source_ref": source_ref, "dedupe_key": key,
            "status": InboundStatus.UNREADABLE.value, "unreadable_reason": reason,
            "subject": (subject or "")[:998], "raw_size": size,
            "from_address": "", "from_name": "", "to_addresses": [], "text": "",
            "text_for_prompt": "", "references": [], "attachments": [],
            "received_at": self._clock.now(),
        }  # fmt: skip
        log.warning("Customer email from %s recorded as unreadable: %s", source, reason)
        async with self._sessions.begin() as session:
            email_id = await repo.insert_once(session, values)
            if email_id is None:
                return await _duplicate(session, values)
        return ReceivedEmail(email_id, True, "", subject or "", None, unreadable_reason=reason)

    async def _automatic(
        self, session: AsyncSession, email_id: int, parsed: ParsedEmail
    ) -> tuple[str | None, int | None]:
        """The stored reason of an automatic mail, with what its bounce report did, and
        the reply draft a bounce marked (None when none)."""
        if parsed.automatic is None:
            return None, None
        reason = parsed.automatic.reason
        if parsed.automatic.report is None:
            return reason, None
        done = await record_bounce(session, parsed.automatic.report, now=self._clock.now())
        reason = f"{reason}. {'; '.join(done.lines)}."
        await repo.set_automatic_reason(session, email_id, reason)
        return reason, done.reply_id

    async def _announce(self, hooks: list[ReceivedHook], item_id: int) -> None:
        for hook in hooks:
            try:
                await hook(item_id)
            except Exception:
                # What it is about is stored; the drafting engine's sweep picks it up
                # later (a bounced reply's card shows it when next drawn).
                log.exception("intake hook failed for #%s", item_id)


async def _find_order_number(session: AsyncSession, parsed: ParsedEmail) -> str | None:
    """The first number the orders table knows, else the first clearly named one."""
    strong, weak = candidates(parsed.subject, parsed.text)
    known = await orders_repo.by_numbers(session, strong + weak)
    for number in strong + weak:
        if number in known:
            return number
    return strong[0] if strong else None


def _values(
    parsed: ParsedEmail,
    number: str | None,
    source: EmailSource,
    source_ref: str | None,
    clock: Clock,
) -> dict[str, Any]:
    return _automatic_values(parsed) | {
        "source": source.value, "source_ref": source_ref,
        "dedupe_key": _dedupe_key(parsed),
        "from_address": parsed.from_address, "from_name": parsed.from_name[:300],
        "reply_to": parsed.reply_to, "to_addresses": list(parsed.to_addresses),
        "subject": parsed.subject, "text": parsed.text,
        "text_for_prompt": strip_quoted(parsed.text), "html": parsed.html,
        "message_id": parsed.message_id, "in_reply_to": parsed.in_reply_to,
        "references": list(parsed.references), "order_number": number,
        "attachments": [item.as_json() for item in parsed.attachments],
        "raw_size": parsed.raw_size, "sent_at": parsed.sent_at, "received_at": clock.now(),
    }  # fmt: skip


def _automatic_values(parsed: ParsedEmail) -> dict[str, Any]:
    if parsed.automatic is None:
        return {"status": InboundStatus.RECEIVED.value}
    return {"status": InboundStatus.AUTOMATIC.value,
            "automatic_kind": parsed.automatic.kind.value,
            "automatic_reason": parsed.automatic.reason}  # fmt: skip


def _dedupe_key(parsed: ParsedEmail) -> str:
    if parsed.message_id:
        return "mid:" + parsed.message_id
    sent = parsed.sent_at.isoformat() if parsed.sent_at else ""
    content = "\x00".join((parsed.from_address.lower(), parsed.subject, parsed.text, sent))
    return "sha256:" + hashlib.sha256(content.encode()).hexdigest()


async def _duplicate(session: AsyncSession, values: dict[str, Any]) -> ReceivedEmail:
    row = await repo.existing(
        session,
        dedupe_key=values["dedupe_key"],
        source=values["source"],
        source_ref=values["source_ref"],
    )
    assert row is not None, "an insert that conflicted has a row it conflicted with"
    return ReceivedEmail(
        id=row.id,
        new=False,
        from_address=row.from_address,
        subject=row.subject,
        order_number=row.order_number,
        unreadable_reason=row.unreadable_reason,
        attachments=tuple(Attachment(**item) for item in row.attachments),
        automatic_reason=row.automatic_reason,
    )
