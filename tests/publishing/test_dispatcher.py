"""The dispatcher on SQLite and PostgreSQL: claims, once-only sends, catch-up and recovery."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repos import publishing as repo
from storage.repos import publishing_sends as sends
from tests.campaigns.helpers import NOW, MutableClock
from tests.publishing.helpers import (
    FAST,
    FakeAlerter,
    FakePublisher,
    add_post,
    delivery,
    dispatcher,
    moves,
    status_of,
)

Sessions = async_sessionmaker[AsyncSession]


async def _sweep_and_drain(sessions: Sessions, clock: MutableClock, publisher: FakePublisher,
                           alerter: FakeAlerter) -> None:  # fmt: skip
    worker = dispatcher(sessions, clock, publisher, alerter)
    await worker.sweep()
    await worker.wait_idle()


async def test_a_due_post_is_published_once_with_its_receipt(session_factory: Sessions) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    post_id = await add_post(session_factory, at=NOW - timedelta(seconds=5), caption="Hello")
    worker = dispatcher(session_factory, clock, publisher, alerter)
    await worker.sweep()
    await worker.wait_idle()
    await worker.sweep()  # a second sweep finds nothing to do
    await worker.wait_idle()
    assert publisher.sent_ids() == [post_id]
    assert publisher.sent[0].caption == "Hello"
    assert publisher.sent[0].target.key == "telegram:@channel"
    assert await status_of(session_factory, post_id) == "published"
    row = await delivery(session_factory, post_id)
    assert (row.external_message_id, row.published_at, row.lease_until) == ("m1", NOW, None)
    assert await moves(session_factory, post_id) == [
        ("scheduled", "publishing"),
        ("publishing", "published"),
    ]
    assert alerter.alerts == []


async def test_posts_not_yet_due_or_not_scheduled_stay(session_factory: Sessions) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    later = await add_post(session_factory, at=NOW + timedelta(minutes=1))
    ready = await add_post(session_factory, at=NOW - timedelta(minutes=1), status="ready")
    await _sweep_and_drain(session_factory, clock, publisher, alerter)
    assert publisher.sent == []
    assert await status_of(session_factory, later) == "scheduled"
    assert await status_of(session_factory, ready) == "ready"


async def test_the_sweep_reports_when_the_next_post_falls_due(session_factory: Sessions) -> None:
    clock = MutableClock()
    await add_post(session_factory, at=NOW + timedelta(minutes=3))
    await add_post(session_factory, at=NOW + timedelta(minutes=1))
    await add_post(session_factory, at=NOW + timedelta(seconds=30), approved=False)
    worker = dispatcher(session_factory, clock, FakePublisher(), FakeAlerter())
    assert await worker.sweep() == NOW + timedelta(minutes=1)


async def test_late_within_the_window_goes_out_older_is_missed_and_alerted(
    session_factory: Sessions,
) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    recent = await add_post(session_factory, at=NOW - timedelta(minutes=14))
    old = await add_post(session_factory, at=NOW - timedelta(minutes=16), title="Old one")
    await _sweep_and_drain(session_factory, clock, publisher, alerter)
    assert publisher.sent_ids() == [recent]
    assert await status_of(session_factory, old) == "missed"
    assert alerter.kinds() == [(old, "missed")]
    assert "more than 15 minutes ago" in alerter.alerts[0].reason
    assert alerter.alerts[0].title == "Old one"
    assert (await delivery(session_factory, old)).alert is None  # delivered, so cleared


async def test_a_post_edited_after_approval_is_never_sent_by_itself(
    session_factory: Sessions,
) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    post_id = await add_post(session_factory, at=NOW, approved=False)
    await _sweep_and_drain(session_factory, clock, publisher, alerter)
    assert publisher.sent == []
    assert await status_of(session_factory, post_id) == "missed"
    assert "changed after it was approved" in alerter.alerts[0].reason


async def test_two_dispatchers_sweeping_at_once_send_each_post_once(
    session_factory: Sessions,
) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    ids = [await add_post(session_factory, at=NOW - timedelta(seconds=i)) for i in range(120)]
    workers = [
        dispatcher(session_factory, clock, publisher, alerter, worker=f"w{i}") for i in range(3)
    ]
    await asyncio.gather(*(w.sweep() for w in workers))
    await asyncio.gather(*(w.wait_idle() for w in workers))
    await asyncio.gather(*(w.sweep() for w in workers))
    await asyncio.gather(*(w.wait_idle() for w in workers))
    assert sorted(publisher.sent_ids()) == sorted(ids)  # every one, none twice


async def test_an_expired_claim_that_never_sent_is_claimed_again(session_factory: Sessions) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    post_id = await add_post(session_factory, at=NOW)
    async with session_factory.begin() as session:  # a replica claims it, then dies
        await repo.claim_due(
            session, now=NOW, oldest=NOW - timedelta(minutes=15), limit=10, worker="dead",
            lease=timedelta(seconds=60), interval=timedelta(0), default_key="telegram:@channel",
            skip_locked=True,
        )  # fmt: skip
    await _sweep_and_drain(session_factory, clock, publisher, alerter)
    assert publisher.sent == []  # the lease is still running: hands off
    clock.advance(seconds=61)
    await _sweep_and_drain(session_factory, clock, publisher, alerter)
    assert publisher.sent_ids() == [post_id]
    assert await moves(session_factory, post_id) == [
        ("scheduled", "publishing"),
        ("publishing", "scheduled"),
        ("scheduled", "publishing"),
        ("publishing", "published"),
    ]


async def test_a_claim_that_died_mid_send_becomes_unknown_never_resent(
    session_factory: Sessions,
) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    post_id = await add_post(session_factory, at=NOW)
    async with session_factory.begin() as session:
        await repo.claim_due(
            session, now=NOW, oldest=NOW - timedelta(minutes=15), limit=10, worker="dead",
            lease=timedelta(seconds=60), interval=timedelta(0), default_key="telegram:@channel",
            skip_locked=True,
        )  # fmt: skip
    async with session_factory.begin() as session:  # the request left, then the crash
        row = await sends.begin_send(
            session, post_id, worker="dead", now=NOW, valid_after=NOW,
            lease_until=NOW + timedelta(seconds=30), resume=False,
        )  # fmt: skip
    assert row is not None and row.caption == "Our autumn candle is back."
    clock.advance(minutes=5)
    await _sweep_and_drain(session_factory, clock, publisher, alerter)
    await _sweep_and_drain(session_factory, clock, publisher, alerter)
    assert publisher.sent == []
    assert await status_of(session_factory, post_id) == "unknown"
    assert alerter.kinds() == [(post_id, "unknown")]
    assert "nobody knows whether it went out" in alerter.alerts[0].reason


async def test_a_late_owner_cannot_send_after_losing_its_claim(session_factory: Sessions) -> None:
    post_id = await add_post(session_factory, at=NOW)
    async with session_factory.begin() as session:
        await repo.claim_due(
            session, now=NOW, oldest=NOW - timedelta(minutes=15), limit=10, worker="slow",
            lease=timedelta(seconds=60), interval=timedelta(0), default_key="telegram:@channel",
            skip_locked=True,
        )  # fmt: skip
    later = NOW + timedelta(seconds=61)
    async with session_factory.begin() as session:
        back, lost = await repo.recover_expired(
            session, now=later, unknown_reason="?", actor="test", skip_locked=True
        )
    assert (back, lost) == ([post_id], [])
    async with session_factory.begin() as session:
        row = await sends.begin_send(
            session, post_id, worker="slow", now=later, valid_after=later,
            lease_until=later + timedelta(seconds=30), resume=False,
        )  # fmt: skip
    assert row is None


async def test_shutdown_finishes_the_send_on_the_wire_and_hands_back_the_rest(
    session_factory: Sessions,
) -> None:
    clock, alerter, publisher = MutableClock(), FakeAlerter(), FakePublisher(delay_s=0.3)
    first = await add_post(session_factory, at=NOW)
    second = await add_post(session_factory, at=NOW)  # same channel: its slot is 30 s later
    paced = replace(FAST, chat_interval=timedelta(seconds=30))
    worker = dispatcher(session_factory, clock, publisher, alerter, policy=paced)
    await worker.sweep()
    await asyncio.sleep(0.1)  # the first send is on the wire, the second waits for its slot
    await worker.stop(grace_s=5)
    assert publisher.sent_ids() == [first]
    assert await status_of(session_factory, first) == "published"
    assert await status_of(session_factory, second) == "scheduled"
    assert await moves(session_factory, second) == [
        ("scheduled", "publishing"),
        ("publishing", "scheduled"),
    ]
    assert await worker.sweep() is None  # a stopped dispatcher claims nothing more


async def test_a_claim_takes_no_more_posts_than_its_limit(session_factory: Sessions) -> None:
    """PostgreSQL re-running a SKIP LOCKED subquery inside the UPDATE once took them all."""
    ids = [await add_post(session_factory, at=NOW - timedelta(seconds=i)) for i in range(3)]
    async with session_factory.begin() as session:
        claims = await repo.claim_due(
            session, now=NOW, oldest=NOW - timedelta(minutes=15), limit=2, worker="w",
            lease=timedelta(seconds=60), interval=timedelta(0), default_key="telegram:@channel",
            skip_locked=True,
        )  # fmt: skip
    assert sorted(c.post_id for c in claims) == sorted(ids[1:])  # the two due first
    assert [await status_of(session_factory, i) for i in ids] == [
        "scheduled", "publishing", "publishing",
    ]  # fmt: skip
