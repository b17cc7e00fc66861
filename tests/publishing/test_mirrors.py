"""Webhook mirrors on SQLite and PostgreSQL: a post published to the channel is also sent
to the webhook, written with the publish, sent at least once under one webhook-id, backed
off, failed with an alert, retried by a person; the channel post never changes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import AlreadyDecided
from core.posts.views import iso
from core.publishing.dispatcher import Dispatcher
from core.publishing.errors import PublishRejected, RateLimited, TransientError
from core.publishing.mirrors import mirror_data
from core.publishing.service import SchedulingService
from storage.models.publishing import WebhookMirror
from storage.repos import publishing as claims
from storage.repos import publishing_mirrors as mirrors
from storage.repos import publishing_sends as sends
from storage.repos.publishing_mirrors import MirrorRow
from tests.campaigns.helpers import NOW, TZ, MutableClock
from tests.publishing.helpers import (
    FAST,
    FakeAlerter,
    FakePublisher,
    FakeWebhook,
    add_post,
    dispatcher,
    status_of,
)

Sessions = async_sessionmaker[AsyncSession]
USER = 1001
HOOK_ID = "msg_post-{}-published"


async def _mirror(sessions: Sessions, post_id: int) -> WebhookMirror | None:
    async with sessions() as session:
        return await session.get(WebhookMirror, post_id, populate_existing=True)


async def _sweeps(worker: Dispatcher, times: int = 1) -> None:
    for _ in range(times):
        await worker.sweep()
        await worker.wait_idle()


def _service(sessions: Sessions, clock: MutableClock, *, mirror: bool = True) -> SchedulingService:
    return SchedulingService(sessions, clock, TZ, image_root=Path("/x"),
                             default_target="telegram:@channel", mirror=mirror)  # fmt: skip


async def test_a_channel_post_is_mirrored_once_after_it_is_published(
    session_factory: Sessions,
) -> None:
    clock, publisher, alerter, hook = MutableClock(), FakePublisher(), FakeAlerter(), FakeWebhook()
    post_id = await add_post(session_factory, caption="Hello", hashtags=("#a", "#b"))
    worker = dispatcher(session_factory, clock, publisher, alerter, mirror=hook)
    await _sweeps(worker, 3)
    assert publisher.sent_ids() == [post_id]
    assert await status_of(session_factory, post_id) == "published"
    [(msg_id, event_type, data)] = hook.events
    assert (msg_id, event_type) == (HOOK_ID.format(post_id), "post.published")
    assert data["post_id"] == post_id and data["title"] == "Autumn candle"
    assert (data["caption"], data["hashtags"], data["text"]) == ("Hello", ["#a", "#b"],
                                                                 "Hello\n\n#a #b")  # fmt: skip
    assert (data["channel"], data["message_ids"], data["published_at"]) == ("@channel", ["m1"],
                                                                            iso(NOW))  # fmt: skip
    assert data["image"] is None and data["scheduled_at"] == iso(NOW)
    row = await _mirror(session_factory, post_id)
    assert row is not None
    assert (row.status, row.attempts, row.receipt, row.sent_at) == ("sent", 1, "zap-1", NOW)
    assert (row.channel, row.message_ids, row.claimed_by) == ("telegram:@channel", "m1", None)
    assert alerter.alerts == []


async def test_the_mirror_is_written_in_the_transaction_that_publishes(
    session_factory: Sessions,
) -> None:
    post_id = await add_post(session_factory)
    async with session_factory.begin() as session:
        await claims.claim_due(
            session, now=NOW, oldest=NOW - timedelta(minutes=15), limit=10, worker="w",
            lease=timedelta(seconds=60), interval=timedelta(0), default_key="telegram:@channel",
            skip_locked=True,
        )  # fmt: skip
    for commit in (False, True):
        async with session_factory() as session, session.begin() as transaction:
            assert await sends.complete(
                session, post_id, worker="w", now=NOW, sent_ids=["41", "42"], actor="test",
                mirror_to="telegram:@channel",
            )  # fmt: skip
            if not commit:
                await transaction.rollback()  # a crash before the commit: neither happened
        published = await status_of(session_factory, post_id) == "published"
        assert published is commit
        assert (await _mirror(session_factory, post_id) is not None) is commit
    row = await _mirror(session_factory, post_id)
    assert row is not None and (row.status, row.message_ids) == ("pending", "41,42")


async def test_no_mirror_for_the_webhook_itself_or_when_it_is_off(
    session_factory: Sessions,
) -> None:
    clock, publisher, alerter, hook = MutableClock(), FakePublisher(), FakeAlerter(), FakeWebhook()
    to_webhook = await add_post(session_factory, target="webhook")
    await _sweeps(dispatcher(session_factory, clock, publisher, alerter, mirror=hook), 2)
    channel_only = await add_post(session_factory)
    await _sweeps(dispatcher(session_factory, clock, publisher, alerter), 2)
    assert publisher.sent_ids() == [to_webhook, channel_only]
    assert hook.calls == []
    assert await _mirror(session_factory, to_webhook) is None
    assert await _mirror(session_factory, channel_only) is None


async def test_transient_failures_back_off_then_fail_alert_and_retry_sends_it(
    session_factory: Sessions,
) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    hook = FakeWebhook(script=[TransientError("The webhook answered 503 Service Unavailable.")] * 3)
    policy = replace(FAST, retries=2, backoff_s=10.0)
    worker = dispatcher(session_factory, clock, publisher, alerter, policy=policy, mirror=hook)
    post_id = await add_post(session_factory)
    await _sweeps(worker, 2)
    assert len(hook.calls) == 1  # the second sweep comes before the backoff ends
    row = await _mirror(session_factory, post_id)
    assert row is not None and row.next_attempt_at == NOW + timedelta(seconds=10)
    assert await worker.sweep() == NOW + timedelta(seconds=10)  # it wakes up for the retry
    clock.advance(seconds=10)
    await _sweeps(worker)
    clock.advance(seconds=20)  # backoff doubles
    await _sweeps(worker, 2)
    assert hook.calls == [HOOK_ID.format(post_id)] * 3 and hook.events == []
    row = await _mirror(session_factory, post_id)
    assert row is not None and row.status == "failed"
    assert row.last_error == "The webhook answered 503 Service Unavailable. (tried 3 times)"
    assert alerter.kinds() == [(post_id, "mirror_failed")]
    assert alerter.alerts[0].reason == row.last_error and alerter.alerts[0].target == "webhook"
    assert await status_of(session_factory, post_id) == "published"  # the channel post stays
    assert publisher.sent_ids() == [post_id]
    health = await worker.health_report()
    assert health.details["webhook_mirrors"] == {"pending": 0, "failed": 1}

    service = _service(session_factory, clock)
    await service.retry_mirror(post_id, USER)  # the alert's Retry button
    with pytest.raises(AlreadyDecided):
        await service.retry_mirror(post_id, USER)  # a double tap
    await _sweeps(worker, 2)
    assert [e[0] for e in hook.events] == [HOOK_ID.format(post_id)]
    row = await _mirror(session_factory, post_id)
    assert row is not None and (row.status, row.attempts, row.alert) == ("sent", 1, None)
    assert publisher.sent_ids() == [post_id] and len(alerter.alerts) == 1


async def test_a_429_waits_its_retry_after(session_factory: Sessions) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    hook = FakeWebhook(script=[RateLimited("The webhook asked to wait 30 s (429).", 30.0)])
    worker = dispatcher(session_factory, clock, publisher, alerter, mirror=hook)
    post_id = await add_post(session_factory)
    await _sweeps(worker, 2)
    row = await _mirror(session_factory, post_id)
    assert row is not None and row.next_attempt_at == NOW + timedelta(seconds=30)
    clock.advance(seconds=29)
    await _sweeps(worker)
    assert len(hook.calls) == 1
    clock.advance(seconds=2)
    await _sweeps(worker)
    assert len(hook.calls) == 2 and len(hook.events) == 1
    row = await _mirror(session_factory, post_id)
    assert row is not None and (row.status, row.attempts) == ("sent", 2)


async def test_a_refusal_fails_at_once_with_the_reason(session_factory: Sessions) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    hook = FakeWebhook(script=[PublishRejected("The webhook refused the post: 404 Not Found")])
    worker = dispatcher(session_factory, clock, publisher, alerter, mirror=hook)
    post_id = await add_post(session_factory)
    await _sweeps(worker, 3)
    clock.advance(minutes=10)
    await _sweeps(worker)
    assert len(hook.calls) == 1
    row = await _mirror(session_factory, post_id)
    assert row is not None and row.status == "failed"
    assert row.last_error == "The webhook refused the post: 404 Not Found"
    assert alerter.kinds() == [(post_id, "mirror_failed")]
    assert await status_of(session_factory, post_id) == "published"


async def test_replicas_sweeping_at_once_send_each_mirror_once(session_factory: Sessions) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    hook = FakeWebhook(delay_s=0.02)
    ids = [await add_post(session_factory, at=NOW - timedelta(seconds=i)) for i in range(10)]
    workers = [
        dispatcher(session_factory, clock, publisher, alerter, worker=f"w{i}", mirror=hook)
        for i in range(3)
    ]
    for _ in range(5):
        await asyncio.gather(*(w.sweep() for w in workers))
        await asyncio.gather(*(w.wait_idle() for w in workers))
    assert sorted(hook.calls) == sorted(HOOK_ID.format(i) for i in ids)  # each once


async def _mirrored_post(sessions: Sessions) -> int:
    """A published channel post with its mirror owed."""
    post_id = await add_post(sessions, status="published")
    async with sessions.begin() as session:
        await mirrors.enqueue(session, post_id, channel="telegram:@channel", message_ids="5",
                              now=NOW)  # fmt: skip
    return post_id


async def _claim(
    sessions: Sessions, worker: str, at: timedelta, busy: tuple[int, ...] = ()
) -> list[int]:
    async with sessions.begin() as session:
        return await mirrors.claim_due(
            session, now=NOW + at, worker=worker, lease_until=NOW + at + timedelta(seconds=60),
            limit=10, skip_locked=True, busy=busy,
        )  # fmt: skip


async def test_a_lease_keeps_other_replicas_off_until_it_runs_out(
    session_factory: Sessions,
) -> None:
    post_id = await _mirrored_post(session_factory)
    assert await _claim(session_factory, "a", timedelta(0)) == [post_id]
    assert await _claim(session_factory, "b", timedelta(seconds=30)) == []  # a holds it
    # a died mid-send: again
    assert await _claim(session_factory, "b", timedelta(seconds=61)) == [post_id]
    async with session_factory.begin() as session:
        assert not await mirrors.mark_sent(session, post_id, worker="a", now=NOW, receipt="x")
        assert await mirrors.mark_sent(session, post_id, worker="b", now=NOW, receipt="y")
    row = await _mirror(session_factory, post_id)
    assert row is not None and (row.status, row.attempts, row.receipt) == ("sent", 2, "y")


async def test_a_replica_does_not_claim_again_what_it_is_still_sending(
    session_factory: Sessions,
) -> None:
    post_id = await _mirrored_post(session_factory)
    assert await _claim(session_factory, "a", timedelta(0)) == [post_id]
    # The lease ran out under a slow send that is still on the wire: not a second send.
    assert await _claim(session_factory, "a", timedelta(seconds=61), busy=(post_id,)) == []
    assert await _claim(session_factory, "a", timedelta(seconds=61)) == [post_id]


@pytest.mark.postgres
async def test_postgres_skips_a_mirror_another_replica_is_claiming(
    session_factory: Sessions,
) -> None:
    async with session_factory() as probe:
        if probe.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite serialises writers instead of skipping locked rows")
    ids = [await add_post(session_factory, status="published") for _ in range(2)]
    async with session_factory.begin() as session:
        for post_id in ids:
            await mirrors.enqueue(session, post_id, channel="telegram:@c", message_ids=None,
                                  now=NOW)  # fmt: skip
    lease = NOW + timedelta(seconds=60)
    async with session_factory.begin() as first, session_factory.begin() as second:
        got_a = await mirrors.claim_due(first, now=NOW, worker="a", lease_until=lease, limit=1,
                                        skip_locked=True)  # fmt: skip
        got_b = await asyncio.wait_for(
            mirrors.claim_due(second, now=NOW, worker="b", lease_until=lease, limit=10,
                              skip_locked=True), timeout=5,
        )  # fmt: skip
    assert len(got_a) == 1 and got_b == [i for i in ids if i not in got_a]


async def test_a_person_confirming_a_channel_post_owes_the_webhook_a_copy(
    session_factory: Sessions,
) -> None:
    clock = MutableClock()
    confirmed = await add_post(session_factory, status="unknown")
    without = await add_post(session_factory, status="unknown")
    await _service(session_factory, clock).confirm_published(confirmed, USER)
    await _service(session_factory, clock, mirror=False).confirm_published(without, USER)
    row = await _mirror(session_factory, confirmed)
    assert row is not None and (row.status, row.channel, row.message_ids) == (
        "pending", "telegram:@channel", None,
    )  # fmt: skip
    assert await _mirror(session_factory, without) is None


async def test_shutdown_frees_a_mirror_cut_off_mid_send_for_the_next_start(
    session_factory: Sessions,
) -> None:
    clock, publisher, alerter = MutableClock(), FakePublisher(), FakeAlerter()
    slow = FakeWebhook(delay_s=5.0)
    post_id = await add_post(session_factory)
    worker = dispatcher(session_factory, clock, publisher, alerter, mirror=slow)
    await worker.sweep()
    await asyncio.sleep(0.2)
    await worker.sweep()  # the mirror is now on the wire
    await asyncio.sleep(0.1)
    await worker.stop(grace_s=0.1)
    row = await _mirror(session_factory, post_id)
    assert row is not None and (row.status, row.claimed_by, row.lease_until) == (
        "pending", None, None,
    )  # fmt: skip
    hook = FakeWebhook()
    await _sweeps(dispatcher(session_factory, clock, publisher, alerter, mirror=hook))
    assert slow.calls == hook.calls == [HOOK_ID.format(post_id)]  # same id: receivers dedupe


def test_the_payload_links_public_channel_messages_and_names_the_image() -> None:
    row = MirrorRow(
        7, "Candle", "Warm", ("#a",), "image", NOW, "telegram:@brand", ("11", "12"), NOW, 1,
        None, "AgAD-file", "images/7.png",
    )  # fmt: skip
    data = mirror_data(row)
    assert data["message_ids"] == [11, 12]
    assert data["links"] == ["https://t.me/brand/11", "https://t.me/brand/12"]
    assert data["image"] == {"telegram_file_id": "AgAD-file", "path": "images/7.png"}
    assert data["telegram_file_id"] == "AgAD-file"
    private = mirror_data(replace(row, channel="telegram:-1001234"))
    assert private["channel"] == "-1001234" and private["links"] == []
