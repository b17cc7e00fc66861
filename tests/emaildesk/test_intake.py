"""EmailIntake on SQLite and PostgreSQL: stored once, hooks after commit, bad mail recorded."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.emaildesk.intake import EmailIntake
from core.errors import ValidationFailed
from domain.emaildesk import MAX_EMAIL_BYTES, EmailSource, InboundStatus
from storage.models import InboundEmail, Order

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
RAW = b"""From: Jane Doe <jane@example.com>
To: shop@example.com
Subject: Where is my order #A-1001?
Message-ID: <q1@mail.example.com>
Date: Sun, 06 Dec 2026 10:00:00 +0100
Content-Type: text/plain; charset=utf-8

Hi, it has been two weeks. Can you check?

On Fri, Dec 4, 2026 at 9:00 AM Shop <shop@example.com> wrote:
> Your order has shipped.
"""


class FixedClock:
    def now(self) -> datetime:
        return NOW


@pytest.fixture
def intake(session_factory: async_sessionmaker[AsyncSession]) -> EmailIntake:
    return EmailIntake(session_factory, FixedClock())


async def _count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(InboundEmail)) or 0)


async def test_a_raw_mail_is_stored_with_its_order_and_the_quote_cut_for_the_prompt(
    intake: EmailIntake, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with session_factory.begin() as session:
        session.add(Order(order_number="A-1001", status="shipped", items=[], updated_at=NOW))
    heard: list[int] = []

    async def hook(email_id: int) -> None:
        # After the commit: the hook can read what it is told about.
        heard.append((await intake.get(email_id)).id)

    intake.on_received(hook)
    received = await intake.receive_raw(RAW, source=EmailSource.IMAP, source_ref="uid:1")
    assert received.new and received.order_number == "A-1001"
    assert heard == [received.id]
    stored = await intake.get(received.id)
    assert stored.sender == "Jane Doe <jane@example.com>"
    assert stored.message_id == "<q1@mail.example.com>"
    assert stored.sent_at == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
    assert "> Your order has shipped." in stored.text
    assert stored.text_for_prompt == "Hi, it has been two weeks. Can you check?"
    assert stored.order is not None and stored.order.status == "shipped"


async def test_the_same_mail_by_two_ways_or_twice_is_stored_once_and_announced_once(
    intake: EmailIntake, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    heard: list[int] = []

    async def hook(email_id: int) -> None:
        heard.append(email_id)

    intake.on_received(hook)
    results = await asyncio.gather(
        intake.receive_raw(RAW, source=EmailSource.IMAP, source_ref="uid:1"),
        intake.receive_raw(RAW, source=EmailSource.IMAP, source_ref="uid:1"),
        intake.receive_raw(RAW, source=EmailSource.API, source_ref=None),
    )
    assert len({r.id for r in results}) == 1
    assert sorted(r.new for r in results) == [False, False, True]
    assert heard == [results[0].id] and await _count(session_factory) == 1


async def test_fields_without_a_message_id_are_deduplicated_by_their_content(
    intake: EmailIntake, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    body = {"from": "bob@example.com", "to": "shop@example.com", "subject": "Hi", "text": "Mug?"}
    first = await intake.receive_fields(body, source=EmailSource.API, source_ref=None)
    again = await intake.receive_fields(body, source=EmailSource.API, source_ref=None)
    other = await intake.receive_fields(
        {**body, "text": "Teapot?"}, source=EmailSource.API, source_ref=None
    )
    assert (first.new, again.new, other.new) == (True, False, True)
    assert again.id == first.id != other.id


async def test_bad_fields_store_nothing_and_say_every_problem(
    intake: EmailIntake, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    body = {"from": "bob", "to": "shop@example.com", "subject": "a\r\nBcc: x@evil.test"}
    with pytest.raises(ValidationFailed) as caught:
        await intake.receive_fields(body, source=EmailSource.API, source_ref=None)
    assert caught.value.problems == [
        "from: is not an email address ('bob')",
        "subject: must be one line (no CR or LF)",
        "text: is required (or html)",
    ]
    assert await _count(session_factory) == 0


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "The email is empty."),
        (b"just a line of text", "It has no usable From address, so there is nobody to reply to."),
        (b"From: a@example.com\r\n" + b"x" * MAX_EMAIL_BYTES, "The email is 10.0 MB; emails over"),
    ],
)
async def test_a_mail_that_cannot_be_read_is_recorded_with_its_reason(
    intake: EmailIntake, raw: bytes, reason: str
) -> None:
    heard: list[int] = []

    async def hook(email_id: int) -> None:
        heard.append(email_id)

    intake.on_received(hook)
    received = await intake.receive_raw(raw, source=EmailSource.API, source_ref=None)
    stored = await intake.get(received.id)
    assert stored.status == InboundStatus.UNREADABLE
    assert (stored.unreadable_reason or "").startswith(reason)
    assert heard == []


async def test_record_unreadable_is_once_per_source_ref(intake: EmailIntake) -> None:
    first = await intake.record_unreadable(
        EmailSource.IMAP, "uid:9", "over 10 MB", size=12_000_000, subject="Photos"
    )
    again = await intake.record_unreadable(EmailSource.IMAP, "uid:9", "over 10 MB")
    assert first.new and not again.new and again.id == first.id
    stored = await intake.get(first.id)
    assert (stored.subject, stored.unreadable_reason) == ("Photos", "over 10 MB")
