"""What the pipeline tells the outside world as a run advances.

The bot implements this with Telegram messages; core never imports telegram. Every call is
best effort: the pipeline logs a failing observer and carries on, so a chat that cannot be
reached never loses a finished run (/pickimage shows it again).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from core.pipeline.models import Delivery, ImageView, RunProgress, RunView


class RunObserver(Protocol):
    async def queued(self, run: RunView) -> None:
        """A new run waits for a slot; the first sign of it in its chat."""

    async def started(self, run: RunView) -> None:
        """The run got a slot and ComfyUI accepted it."""

    async def progress(self, run: RunView, progress: RunProgress) -> None:
        """Already throttled: at most one call per interval per run."""

    async def completed(self, run: RunView, images: Sequence[ImageView]) -> Delivery | None:
        """Show the candidates; return what was sent so it can be reused."""

    async def failed(self, run: RunView) -> None:
        """The final state of a failed run; `run.error` says why in plain words."""


class SilentObserver:
    """Until the bot is up (and in tests of core alone): nothing is shown."""

    async def queued(self, run: RunView) -> None:
        return None

    async def started(self, run: RunView) -> None:
        return None

    async def progress(self, run: RunView, progress: RunProgress) -> None:
        return None

    async def completed(self, run: RunView, images: Sequence[ImageView]) -> Delivery | None:
        return None

    async def failed(self, run: RunView) -> None:
        return None
