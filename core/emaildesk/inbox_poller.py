"""Polls the support inbox for as long as the bot runs, and never gives up on it.

Every IMAP_POLL_INTERVAL_S a poll; at once again while a batch limit left mail waiting.
When the server can't be reached or refuses the login, the problem is logged, the admins
are told once (not at every poll: the cursor row remembers what they were told), and the
polls go on with a growing pause, up to MAX_BACKOFF_S; when reading works again they
are told that too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from core.emaildesk.inbox import InboxReader, PollResult
from core.emaildesk.mailbox import InboxProblem

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 900.0


@dataclass(frozen=True)
class InboxAlert:
    """What the admins hear: a problem (with its fix), or `problem=None`: reading again."""

    mailbox: str
    problem: str | None
    fix: str = ""


AlertSender = Callable[[InboxAlert], Awaitable[None]]


class InboxPoller:
    def __init__(self, reader: InboxReader, *, interval_s: float, alert: AlertSender) -> None:
        self._reader = reader
        self._interval_s = interval_s
        self._alert = alert
        self._failures = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        if self._task is None:
            self._stopping.clear()
            self._task = asyncio.create_task(self._run(), name="support-inbox")

    async def stop(self) -> None:
        """Stop polling. A mail half handed over is read again at the next start.

        The event, not only the cancellation, ends the loop: Python 3.11's wait_for (which
        aioimaplib uses for every command) can swallow a cancellation that arrives as its
        inner call finishes, and the loop would then poll on while stop() waits for ever.
        """
        self._stopping.set()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def poll_once(self) -> float:
        """One poll, its problem told; returns the seconds to wait before the next one."""
        try:
            result = await self._reader.poll()
        except InboxProblem as problem:
            await self._trouble(problem)
            return self._backoff()
        except Exception:
            # Not the server (our database, say): logged for the operator, tried again.
            log.exception("reading the support inbox failed")
            return self._backoff()
        self._failures = 0
        await self._recovered(result)
        if result.read:
            log.info("support inbox: %s new message(s) handed over", result.read)
        return 0.0 if result.more else self._interval_s

    async def _run(self) -> None:
        while not self._stopping.is_set():
            pause = await self.poll_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), pause)  # the pause

    def _backoff(self) -> float:
        self._failures += 1
        pause: float = self._interval_s * 2.0 ** min(self._failures - 1, 16)
        return min(pause, max(MAX_BACKOFF_S, self._interval_s))

    async def _trouble(self, problem: InboxProblem) -> None:
        mailbox = str(self._reader.mailbox.address)
        log.warning("support inbox %s: %s (fix: %s)", mailbox, problem.detail, problem.fix)
        try:
            if not await self._reader.note_problem(problem.detail):
                return  # told already
        except Exception:
            log.exception("could not record the support inbox's problem")
            return
        try:
            await self._alert(InboxAlert(mailbox, problem.detail, problem.fix))
        except Exception:
            log.exception("could not tell the admins about the support inbox; trying again")
            with contextlib.suppress(Exception):  # the database is down too: logged above
                await self._reader.forget_problem(problem.detail)

    async def _recovered(self, result: PollResult) -> None:
        if result.recovered_from is None:
            return
        mailbox = str(self._reader.mailbox.address)
        log.info("support inbox %s is read again", mailbox)
        try:
            await self._alert(InboxAlert(mailbox, None))
        except Exception:
            log.exception("could not tell the admins the support inbox works again")
