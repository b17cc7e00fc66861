"""The reply desk's background work: draft every new email, send every approved reply.

Woken three ways: by the intake's `on_received` hook (a new email), by a person's tap
(🔄, 🎭, ✅, 🔁), and by a periodic sweep (start-up and every few seconds) that finds
what the others missed: emails stored while the bot was down, drafts a crash cut off or
a failure left for later, replies due for another try, sends a dead worker abandoned.
Every step is a database claim, so a replica or a second wake-up doing the same finds
nothing to do. What happened is told to the `ReplyListener` (the Telegram cards).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from core.emaildesk.replies import ReplyDesk
from core.emaildesk.reply_drafting import ReplyDrafting, ReplyUpdate
from core.emaildesk.reply_sending import ReplySender
from core.emaildesk.reply_views import ReplyView
from core.errors import AlreadyDecided
from domain.email_replies import Tone

log = logging.getLogger(__name__)
# Drafts written at once by one process: a backlog (the bot was down) queues here
# instead of firing a hundred model calls together.
DRAFTS_AT_ONCE = 3


class ReplyListener(Protocol):
    async def show(self, update: ReplyUpdate) -> None:
        """Show the reply as it now is (new cards for a first draft, else the cards redrawn)."""


class _Silent:
    async def show(self, update: ReplyUpdate) -> None:
        return None


class ReplyEngine:
    def __init__(self, drafting: ReplyDrafting, desk: ReplyDesk, sender: ReplySender) -> None:
        self._drafting = drafting
        self._desk = desk
        self._sender = sender
        self._listener: ReplyListener = _Silent()
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: set[tuple[str, int]] = set()  # what this process is already doing
        self._stopping = False
        self._turns = asyncio.Semaphore(DRAFTS_AT_ONCE)

    @property
    def desk(self) -> ReplyDesk:
        return self._desk

    def listen(self, listener: ReplyListener) -> None:
        self._listener = listener

    # -- wake-ups ----------------------------------------------------------------------

    async def on_received(self, email_id: int) -> None:
        """The intake's hook, after the email is committed: draft it in the background."""
        self._spawn(("email", email_id), self._draft_new(email_id))

    async def on_reply_bounced(self, reply_id: int) -> None:
        """The intake's hook after a sent reply bounced: redraw its cards to say so."""
        await self._show(ReplyUpdate(await self._desk.get(reply_id)))

    async def start_redo(
        self, reply_id: int, revision: int, user_id: int, *, tone: Tone | None = None
    ) -> ReplyView:
        """🔄 or 🎭: claim the draft for this process; then `redraft_soon` writes it."""
        return await self._drafting.start_redo(reply_id, revision, user_id, tone=tone)

    def redraft_soon(self, reply_id: int) -> None:
        """After `start_redo` (once the cards say the model is writing)."""
        self._spawn(("draft", reply_id), self._write(reply_id))

    def send_soon(self, reply_id: int) -> None:
        self._spawn(("send", reply_id), self._send(reply_id))

    async def sweep(self) -> None:
        """One pass over everything waiting; run at start-up and periodically."""
        for reply_id in await self._sender.settle_abandoned():
            await self._show(ReplyUpdate(await self._desk.get(reply_id)))
        for email_id in await self._drafting.undrafted():
            self._spawn(("email", email_id), self._draft_new(email_id))
        for reply_id in await self._drafting.due():
            self._spawn(("draft", reply_id), self._redraft(reply_id))
        for reply_id in await self._sender.due():
            self._spawn(("send", reply_id), self._send(reply_id))

    async def idle(self) -> None:
        """Wait until no background work is left (tests, and a clean stop)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def stop(self) -> None:
        """Sends on the wire finish; drafts are cut off and their claims handed back, so the
        next start writes them (a crash leaves the claims to lapse instead)."""
        self._stopping = True
        for task in list(self._tasks):
            if task.get_name().startswith(("email:", "draft:")):
                task.cancel()
        await self.idle()
        await self._drafting.release()

    # -- the work ----------------------------------------------------------------------

    async def _draft_new(self, email_id: int) -> None:
        async with self._turns:  # claimed only when this process can start writing
            reply_id = await self._drafting.claim(email_id)
            if reply_id is not None:
                await self._write(reply_id)

    async def _redraft(self, reply_id: int) -> None:
        async with self._turns:
            if await self._drafting.reclaim(reply_id):
                await self._write(reply_id)

    async def _write(self, reply_id: int) -> None:
        try:
            update = await self._drafting.write(reply_id)
        except AlreadyDecided as lost:  # another worker took the claim over
            log.info("%s", lost)
            return
        # A first draft failing again is not news: the card already says it will retry.
        old_news = update.failure is not None and update.view.attempts > 1
        if not old_news:
            await self._show(update)

    async def _send(self, reply_id: int) -> None:
        if await self._sender.send(reply_id):
            await self._show(ReplyUpdate(await self._desk.get(reply_id)))

    async def _show(self, update: ReplyUpdate) -> None:
        try:
            await self._listener.show(update)
        except Exception:  # the cards are a view: a Telegram outage must not stop the work
            log.exception("could not show reply #%s", update.view.id)

    def _spawn(self, key: tuple[str, int], work: Coroutine[Any, Any, None]) -> None:
        if self._stopping or key in self._busy:
            work.close()
            return
        self._busy.add(key)
        task = asyncio.create_task(self._guarded(key, work), name=f"{key[0]}:{key[1]}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guarded(self, key: tuple[str, int], work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("reply desk work %s:%s failed", *key)
        finally:
            self._busy.discard(key)
