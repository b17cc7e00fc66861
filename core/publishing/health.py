"""Is the dispatcher alive? The last sweep, and due posts nobody has claimed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from core.posts.views import iso


@dataclass(frozen=True)
class HealthReport:
    ok: bool
    details: dict[str, Any]


class SweepHealth:
    """Stuck means no sweep for several intervals, or a due post left unclaimed too long."""

    def __init__(self, *, started_at: datetime, stale_sweep: timedelta, stale_due: timedelta):
        self.started_at = started_at
        self.last_sweep_at: datetime | None = None
        self.last_error: str | None = None
        self._stale_sweep = stale_sweep
        self._stale_due = stale_due

    def swept(self, at: datetime) -> None:
        self.last_sweep_at, self.last_error = at, None

    def failed(self, error: str) -> None:
        self.last_error = error

    def report(
        self, now: datetime, due_unclaimed: int, oldest_due: datetime | None
    ) -> HealthReport:
        problems = []
        since = self.last_sweep_at or self.started_at
        if now - since > self._stale_sweep:
            problems.append(f"no sweep for {_seconds(now - since)} s")
        if oldest_due is not None and now - oldest_due > self._stale_due:
            problems.append(f"a due post is unclaimed after {_seconds(now - oldest_due)} s")
        details: dict[str, Any] = {
            "status": "ok" if not problems else "stuck",
            "last_sweep_at": iso(self.last_sweep_at),
            "due_unclaimed": due_unclaimed,
            "oldest_due_at": iso(oldest_due),
        }
        if problems:
            details["problems"] = problems
        if self.last_error:
            details["last_error"] = self.last_error
        return HealthReport(not problems, details)


def _seconds(delta: timedelta) -> int:
    return int(delta.total_seconds())
