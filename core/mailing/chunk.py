"""One chunk of sequence deliveries: what happened to each, written back in one commit.

Why chunks: a database commit per message made the database, not the mail server,
the bottleneck (a bare SMTP loop was 2-4x faster). A chunk of claimed deliveries is
marked `sending` in one commit (the suppression list is checked in that same UPDATE),
the messages go out over the one connection, and the outcomes are written in one more.

The trade-off: between those two commits the whole chunk is `sending`. If the process
dies then, every row of the chunk becomes `unknown` once its lease runs out, even the
ones that never left: a person decides them ("It was sent" / "Send again"), nothing is
ever resent by itself. So a chunk is small: at most one second of sending, and at most
CHUNK_MAX messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage

from domain.mailing import DeliveryStatus as D
from storage.repos.deliveries import Claimed
from storage.repos.delivery_chunks import Begin, Outcome, Retry

CHUNK_MAX = 50


def chunk_size(rate_per_s: float) -> int:
    """Messages per chunk: one second's worth at the pace, 1..CHUNK_MAX."""
    return int(min(CHUNK_MAX, max(1.0, rate_per_s)))


@dataclass(frozen=True)
class Prepared:
    claim: Claimed
    message: EmailMessage
    begin: Begin


@dataclass
class Outcomes:
    """Collected while a chunk is sent; recorded together when it ends."""

    sent: list[int] = field(default_factory=list)
    final: list[Outcome] = field(default_factory=list)  # failed, unknown
    retries: list[Retry] = field(default_factory=list)
    # Begun (`sending`) but never handed to the server: pending again at `unsent_at`.
    unsent: list[int] = field(default_factory=list)
    unsent_at: datetime | None = None

    def end(self, claim: Claimed, status: D, error: str, code: int | None = None) -> None:
        self.final.append(Outcome(claim.delivery_id, status, error, code))

    @property
    def handled(self) -> set[int]:
        done = {o.delivery_id for o in self.final} | {r.delivery_id for r in self.retries}
        return done | set(self.sent) | set(self.unsent)
