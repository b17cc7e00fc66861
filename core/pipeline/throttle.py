"""How often a run's live status message may be edited.

Telegram allows about one edit per second in a chat and fewer in groups; a sampler sends a
progress frame per step, many per second. So: the first report goes out at once, then at
most one per `interval_s`. The final state (finished, failed) never goes through here: it
is always shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable

DEFAULT_INTERVAL_S = 1.5


class ProgressThrottle:
    def __init__(
        self,
        interval_s: float = DEFAULT_INTERVAL_S,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._interval_s = interval_s
        self._now = now
        self._last: float | None = None

    def ready(self) -> bool:
        """True when a report may go out now; the report is then counted as sent."""
        now = self._now()
        if self._last is not None and now - self._last < self._interval_s:
            return False
        self._last = now
        return True
