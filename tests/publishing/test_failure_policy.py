"""The failure policy: 429 waits, transient retries then failed, unknown is never resent,
refusals fail at once, and every failure reaches the admins. SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.publishing.errors import OutcomeUnknown, PublishRejected, RateLimited, TransientError
from core.publishing.policy import PublishPolicy
from core.publishing.service import SchedulingService
from core.publishing.types import Progress, Publication, Publisher
from tests.campaigns.helpers import NOW, MutableClock
from tests.publishing.helpers import (
    FAST,
    FakeAlerter,
    FakePublisher,
    add_post,
    delivery,
    dispatcher,
    status_of,
)

Sessions = async_sessionmaker[AsyncSession]
USER = 1001


def _service(sessions: Sessions, clock: MutableClock) -> SchedulingService:
    return SchedulingService(sessions, clock, ZoneInfo("Europe/Berlin"), image_root=Path("/x"))


async def _run(
    sessions: Sessions,
    publisher: Publisher,
    alerter: FakeAlerter,
    *,
    sweeps: int = 1,
    policy: PublishPolicy = FAST,
) -> None:
    worker = dispatcher(sessions, MutableClock(), publisher, alerter, policy=policy)
    for _ in range(sweeps):
        await worker.sweep()
        await worker.wait_idle()


async def test_429_waits_retry_after_then_sends_once(session_factory: Sessions) -> None:
    wait = RateLimited("Telegram asked to wait 0 s (429).", 0.05)
    publisher, alerter = FakePublisher(script=[wait, wait, wait]), FakeAlerter()
    post_id = await add_post(session_factory)
    await _run(session_factory, publisher, alerter)
    assert (publisher.calls, publisher.sent_ids()) == (4, [post_id])
    assert await status_of(session_factory, post_id) == "published"
    assert alerter.alerts == []


async def test_a_429_storm_that_never_ends_fails_and_alerts(session_factory: Sessions) -> None:
    wait = RateLimited("Telegram asked to wait 0 s (429).", 0.0)
    publisher, alerter = FakePublisher(script=[wait] * 10), FakeAlerter()
    post_id = await add_post(session_factory)
    await _run(session_factory, publisher, alerter, policy=replace(FAST, max_rate_limit_waits=4))
    assert publisher.calls == 5 and publisher.sent == []
    assert await status_of(session_factory, post_id) == "failed"
    assert alerter.kinds() == [(post_id, "failed")]
    assert "kept asking to wait, 4 times" in alerter.alerts[0].reason


async def test_transient_errors_are_retried_with_backoff(session_factory: Sessions) -> None:
    blip = TransientError("Telegram could not be reached.")
    publisher, alerter = FakePublisher(script=[blip, blip]), FakeAlerter()
    post_id = await add_post(session_factory)
    await _run(session_factory, publisher, alerter)
    assert publisher.sent_ids() == [post_id]
    assert (await delivery(session_factory, post_id)).attempts == 3


async def test_after_n_retries_the_post_fails_with_an_alert_and_retry_works(
    session_factory: Sessions,
) -> None:
    blip = TransientError("Telegram had a problem: Bad Gateway")
    publisher, alerter = FakePublisher(script=[blip] * 4), FakeAlerter()
    post_id = await add_post(session_factory)
    await _run(session_factory, publisher, alerter, policy=replace(FAST, retries=3))
    assert (publisher.calls, publisher.sent) == (4, [])
    assert await status_of(session_factory, post_id) == "failed"
    assert alerter.kinds() == [(post_id, "failed")]
    assert alerter.alerts[0].reason == "Telegram had a problem: Bad Gateway (tried 4 times)"
    await _service(session_factory, MutableClock()).publish_now(post_id, USER)  # the Retry button
    await _run(session_factory, publisher, alerter)
    assert publisher.sent_ids() == [post_id]
    assert await status_of(session_factory, post_id) == "published"


async def test_a_refusal_fails_at_once(session_factory: Sessions) -> None:
    refused = PublishRejected("Telegram refused it: Bad Request: chat not found")
    publisher, alerter = FakePublisher(script=[refused]), FakeAlerter()
    post_id = await add_post(session_factory)
    await _run(session_factory, publisher, alerter, sweeps=2)
    assert publisher.calls == 1
    assert await status_of(session_factory, post_id) == "failed"
    assert alerter.alerts[0].reason == "Telegram refused it: Bad Request: chat not found"


async def test_an_unknown_outcome_waits_for_a_human_and_is_never_resent(
    session_factory: Sessions,
) -> None:
    timeout = OutcomeUnknown("Telegram did not answer in time; the post may have gone out.")
    publisher, alerter = FakePublisher(script=[timeout]), FakeAlerter()
    post_id = await add_post(session_factory)
    await _run(session_factory, publisher, alerter, sweeps=3)
    assert publisher.calls == 1
    assert await status_of(session_factory, post_id) == "unknown"
    assert alerter.kinds() == [(post_id, "unknown")]
    settled = await _service(session_factory, MutableClock()).confirm_published(post_id, USER)
    assert settled.status == "published"
    assert (await delivery(session_factory, post_id)).published_at is not None


async def test_send_again_after_unknown_sends_it_once_more(session_factory: Sessions) -> None:
    publisher, alerter = FakePublisher(script=[OutcomeUnknown("cut off")]), FakeAlerter()
    post_id = await add_post(session_factory)
    await _run(session_factory, publisher, alerter)
    await _service(session_factory, MutableClock()).publish_now(post_id, USER, again=True)
    await _run(session_factory, publisher, alerter)
    assert publisher.sent_ids() == [post_id]
    assert await status_of(session_factory, post_id) == "published"


@dataclass
class TwoParts:
    """A long text as two messages; the second message fails the first time."""

    failure: Exception
    delivered: list[str] = field(default_factory=list)

    async def publish(self, publication: Publication, progress: Progress) -> None:
        for part in ("part-1", "part-2")[len(progress.sent) :]:
            if part == "part-2" and not self.delivered.count("part-2-tried"):
                self.delivered.append("part-2-tried")
                raise self.failure
            self.delivered.append(part)
            progress.sent.append(part)


async def test_a_retry_resumes_after_the_parts_already_sent(session_factory: Sessions) -> None:
    publisher, alerter = TwoParts(TransientError("blip")), FakeAlerter()
    post_id = await add_post(session_factory)
    await _run(session_factory, publisher, alerter)
    assert publisher.delivered == ["part-1", "part-2-tried", "part-2"]
    assert (await delivery(session_factory, post_id)).external_message_id == "part-1,part-2"


async def test_a_refusal_after_some_parts_is_unknown_not_failed(session_factory: Sessions) -> None:
    publisher, alerter = TwoParts(PublishRejected("too long")), FakeAlerter()
    post_id = await add_post(session_factory)
    await _run(session_factory, publisher, alerter)
    assert await status_of(session_factory, post_id) == "unknown"
    assert alerter.alerts[0].reason == "1 part(s) went out, then: too long"
    assert (await delivery(session_factory, post_id)).external_message_id == "part-1"


async def test_a_crashing_publisher_leaves_the_post_unknown(session_factory: Sessions) -> None:
    publisher, alerter = FakePublisher(script=[KeyError("bug")]), FakeAlerter()
    post_id = await add_post(session_factory)
    await _run(session_factory, publisher, alerter)
    assert await status_of(session_factory, post_id) == "unknown"
    assert "Internal error while sending (KeyError)" in alerter.alerts[0].reason


async def test_no_destination_fails_with_the_setting_to_fix(session_factory: Sessions) -> None:
    publisher, alerter = FakePublisher(), FakeAlerter()
    post_id = await add_post(session_factory)
    worker = dispatcher(session_factory, MutableClock(), publisher, alerter, default_target=None)
    await worker.sweep()
    await worker.wait_idle()
    assert await status_of(session_factory, post_id) == "failed"
    assert "PUBLISH_CHAT_ID" in alerter.alerts[0].reason


async def test_an_alert_nobody_received_is_sent_by_a_later_sweep(
    session_factory: Sessions,
) -> None:
    publisher, alerter = FakePublisher(script=[PublishRejected("no rights")]), FakeAlerter()
    alerter.failures = 1
    clock = MutableClock()
    post_id = await add_post(session_factory)
    worker = dispatcher(session_factory, clock, publisher, alerter)
    await worker.sweep()
    await worker.wait_idle()
    assert alerter.alerts == [] and (await delivery(session_factory, post_id)).alert == "failed"
    clock.advance(seconds=61)  # the failed attempt's short lease on the alert runs out
    await worker.sweep()
    assert alerter.kinds() == [(post_id, "failed")]
    assert (await delivery(session_factory, post_id)).alert is None
    await worker.sweep()
    assert len(alerter.alerts) == 1  # told once


async def test_an_alert_is_dropped_once_a_human_settled_the_post(session_factory: Sessions) -> None:
    publisher, alerter = FakePublisher(script=[PublishRejected("no rights")]), FakeAlerter()
    alerter.failures = 1
    clock = MutableClock(NOW)
    post_id = await add_post(session_factory)
    worker = dispatcher(session_factory, clock, publisher, alerter)
    await worker.sweep()
    await worker.wait_idle()
    await _service(session_factory, clock).schedule(post_id, NOW + timedelta(hours=1), USER)
    clock.advance(seconds=61)
    await worker.sweep()
    assert alerter.alerts == []
    assert (await delivery(session_factory, post_id)).alert is None
