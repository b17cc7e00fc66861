"""The dispatcher's timing and failure policy, as plain numbers built from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.config import AppSettings
from core.publishing.types import Target

# Replicas' clocks may differ by this much; a claim is only used while it has this
# much lease left, so two replicas can never both believe they hold it.
CLOCK_SKEW = timedelta(seconds=2)
# A long text is sent as at most this many messages (a photo caption and the rest).
MAX_PARTS = 3


@dataclass(frozen=True)
class PublishPolicy:
    catchup_window: timedelta = timedelta(minutes=15)
    retries: int = 3
    backoff_s: float = 2.0
    max_backoff_s: float = 300.0
    max_rate_limit_waits: int = 30
    sweep_interval_s: float = 5.0
    lease: timedelta = timedelta(seconds=60)
    send_timeout_s: float = 20.0
    chat_interval: timedelta = timedelta(seconds=3)
    rate_per_s: float = 25.0
    max_in_flight: int = 8  # below the database pool (10), leaving room for the rest
    mirror_in_flight: int = 2  # webhook mirrors sent at once by one replica
    claim_batch: int = 100
    alert_batch: int = 20

    def backoff(self, failures: int) -> float:
        """Seconds to wait after the n-th transient failure: 2, 4, 8, ... capped."""
        return float(min(self.backoff_s * 2 ** max(0, failures - 1), self.max_backoff_s))

    @property
    def send_lease(self) -> timedelta:
        """How long a send may take before another replica may call its outcome unknown."""
        return timedelta(seconds=self.send_timeout_s * MAX_PARTS) + 2 * CLOCK_SKEW

    @property
    def stale_sweep_after(self) -> timedelta:
        return timedelta(seconds=max(3 * self.sweep_interval_s, 30.0))

    @property
    def stale_due_after(self) -> timedelta:
        return timedelta(seconds=max(6 * self.sweep_interval_s, 60.0))

    @classmethod
    def from_settings(cls, app: AppSettings) -> PublishPolicy:
        return cls(
            catchup_window=timedelta(minutes=app.publish_catchup_minutes),
            retries=app.publish_retries, backoff_s=app.publish_backoff_s,
            sweep_interval_s=app.publish_sweep_interval_s,
            lease=timedelta(seconds=app.publish_lease_s),
            send_timeout_s=app.publish_send_timeout_s,
            chat_interval=timedelta(seconds=app.publish_chat_interval_s),
            rate_per_s=app.publish_rate_per_s,
        )  # fmt: skip


def default_target(app: AppSettings) -> Target | None:
    """PUBLISH_CHAT_ID if set, else the outgoing webhook if set, else nowhere."""
    if app.publish_chat_id:
        return Target("telegram", app.publish_chat_id)
    if app.publish_webhook_url is not None:
        return Target("webhook")
    return None


def mirror_enabled(app: AppSettings) -> bool:
    """Both a channel and the webhook: each channel post is also sent to the webhook."""
    return bool(app.publish_chat_id) and app.publish_webhook_url is not None
