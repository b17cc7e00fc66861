"""Sending in chunks (core.mailing.chunk) on SQLite and PostgreSQL with aiosmtpd: one commit
begins a chunk, one records it; a crash in between leaves the chunk unknown, never resent."""

from __future__ import annotations

from datetime import timedelta

from core.config import SMTPSettings
from core.mailing.chunk import CHUNK_MAX, chunk_size
from domain.mailing import DeliveryStatus as D
from storage.models.deliveries import EmailSuppression
from storage.repos import deliveries as repo
from storage.repos import delivery_chunks as chunks
from storage.repos.delivery_chunks import Begin
from tests.campaigns.helpers import NOW, MutableClock
from tests.doubles.smtp_server import ScriptedSmtp
from tests.mailing.helpers import Sessions, add_sequence, deliveries, mail_dispatcher, sweep
from tests.pipeline.support import wait_until

Server = tuple[ScriptedSmtp, SMTPSettings]
LIST = [f"reader{n}@customer.example" for n in range(7)]
LEASE = NOW + timedelta(seconds=60)


async def _claim_all(sessions: Sessions, worker: str) -> list[repo.Claimed]:
    async with sessions.begin() as session:
        await repo.start_due_emails(session, now=NOW, limit=5, skip_locked=True)
        return await repo.claim_due(session, now=NOW, worker=worker, lease_until=LEASE,
                                    limit=100, skip_locked=True)  # fmt: skip


def _begins(claims: list[repo.Claimed]) -> list[Begin]:
    return [Begin(c.delivery_id, f"<{c.delivery_id}@shop.example>")
            for c in claims]  # fmt: skip


def test_a_chunk_is_one_second_of_sending_at_most_fifty() -> None:
    assert [chunk_size(r) for r in (0.5, 10, 14.9, 100_000)] == [1, 10, 14, CHUNK_MAX]


async def test_a_process_dying_mid_chunk_leaves_the_chunk_unknown_never_resent(
    session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    _, [email_id] = await add_sequence(session_factory, LIST[:3])
    claims = await _claim_all(session_factory, "dead")
    async with session_factory.begin() as session:  # begun, then the process vanished
        begun = await chunks.begin_chunk(session, _begins(claims), worker="dead",
                                         valid_after=NOW, lease_until=LEASE)  # fmt: skip
    assert len(begun) == 3
    clock = MutableClock()
    dispatcher = mail_dispatcher(session_factory, clock, settings, worker="a")
    await sweep(dispatcher)  # the lease still runs: hands off
    assert {r.status for r in (await deliveries(session_factory, email_id)).values()} == {D.SENDING}
    clock.advance(seconds=61)
    await sweep(dispatcher)
    rows = await deliveries(session_factory, email_id)
    assert {r.status for r in rows.values()} == {D.UNKNOWN}
    assert all(r.message_id for r in rows.values())
    assert box.messages == []  # none of them resent by itself


async def test_an_address_suppressed_after_the_claim_is_not_begun(
    session_factory: Sessions,
) -> None:
    await add_sequence(session_factory, LIST[:3])
    claims = await _claim_all(session_factory, "a")
    async with session_factory.begin() as session:  # only the list: the send-time check
        session.add(EmailSuppression(address=LIST[1], reason="unsubscribed", source="admin",
                                     at=NOW))  # fmt: skip
    async with session_factory.begin() as session:
        begun = await chunks.begin_chunk(session, _begins(claims), worker="a",
                                         valid_after=NOW, lease_until=LEASE)  # fmt: skip
    by_address = {c.recipient: c.delivery_id for c in claims}
    assert begun == sorted(by_address[a] for a in (LIST[0], LIST[2]))


async def test_another_replicas_claim_or_an_expired_one_is_not_begun(
    session_factory: Sessions,
) -> None:
    await add_sequence(session_factory, LIST[:2])
    claims = await _claim_all(session_factory, "a")
    async with session_factory.begin() as session:
        assert await chunks.begin_chunk(session, _begins(claims), worker="b",
                                        valid_after=NOW, lease_until=LEASE) == []  # fmt: skip
        late = LEASE + timedelta(seconds=1)
        assert await chunks.begin_chunk(session, _begins(claims), worker="a",
                                        valid_after=late, lease_until=late) == []  # fmt: skip


async def test_begun_but_never_sent_goes_back_uncounted(session_factory: Sessions) -> None:
    _, [email_id] = await add_sequence(session_factory, LIST[:2])
    claims = await _claim_all(session_factory, "a")
    ids = [c.delivery_id for c in claims]
    async with session_factory.begin() as session:
        await chunks.begin_chunk(session, _begins(claims), worker="a", valid_after=NOW,
                                 lease_until=LEASE)  # fmt: skip
        assert await chunks.unbegin(session, ids, worker="b", at=NOW) == []  # not b's
        assert sorted(await chunks.unbegin(session, ids, worker="a", at=NOW)) == ids
    rows = (await deliveries(session_factory, email_id)).values()
    assert {(r.status, r.attempts, r.claimed_by) for r in rows} == {(D.PENDING, 0, None)}


async def test_a_list_longer_than_a_chunk_mixes_outcomes_and_each_is_recorded(
    session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    addresses = [f"reader{n}@customer.example" for n in range(CHUNK_MAX + 12)]
    box.rcpt_replies[addresses[3]] = "550 5.1.1 No such user"
    box.rcpt_replies[addresses[CHUNK_MAX + 1]] = "451 4.7.1 Greylisted"
    _, [email_id] = await add_sequence(session_factory, addresses)
    clock = MutableClock()
    dispatcher = mail_dispatcher(session_factory, clock, settings, worker="a",
                                 rate_per_s=100_000.0)  # fmt: skip
    await sweep(dispatcher)
    rows = await deliveries(session_factory, email_id)
    assert (rows[addresses[3]].status, rows[addresses[3]].smtp_code) == (D.FAILED, 550)
    waiting = rows[addresses[CHUNK_MAX + 1]]
    assert (waiting.status, waiting.attempts, waiting.claimed_by) == (D.PENDING, 1, None)
    sent = {a for a, r in rows.items() if r.status == D.SENT}
    assert sent == set(addresses) - {addresses[3], addresses[CHUNK_MAX + 1]}
    assert all(rows[a].attempts == 1 and rows[a].claimed_by is None for a in sent)
    assert sorted(m.rcpt for m in box.messages) == sorted(sent)


async def test_a_stop_mid_chunk_sends_nothing_more_and_hands_the_rest_back(
    session_factory: Sessions, smtp: Server
) -> None:
    box, settings = smtp
    addresses = [f"reader{n}@customer.example" for n in range(12)]
    _, [email_id] = await add_sequence(session_factory, addresses)
    # 5 a second: chunks of 5, one message every 0.2 s.
    dispatcher = mail_dispatcher(session_factory, MutableClock(), settings, worker="a",
                                 rate_per_s=5.0)  # fmt: skip
    await dispatcher.sweep()
    await wait_until(lambda: _some_arrived(box))  # then stop mid-chunk
    await dispatcher.stop(grace_s=5)
    rows = await deliveries(session_factory, email_id)
    sent = {a for a, r in rows.items() if r.status == D.SENT}
    assert 1 <= len(sent) < len(addresses)
    assert sorted(m.rcpt for m in box.messages) == sorted(sent)
    rest = [r for a, r in rows.items() if a not in sent]
    assert {(r.status, r.attempts, r.claimed_by) for r in rest} == {(D.PENDING, 0, None)}


async def _some_arrived(box: ScriptedSmtp) -> bool:
    return len(box.messages) > 0
