"""Concurrent update processing that keeps each chat's updates in order.

Updates from different chats run in parallel; updates from one chat run one after
another (an edit reply must not overtake the tap that asked for it). Slow work such as
LLM calls is started as a background task by the handler, so it never holds a chat's
queue: a user can /start while their suggestion is still being written.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Called after each update with how long it took: metrics, and marking inbox rows done.
AfterUpdate = Callable[[Update, float], Awaitable[None]]


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = 256, after: AfterUpdate | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}
        self._after = after

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await self._run(update, coroutine)
            return
        lock = self._acquire_slot(key)
        try:
            async with lock:
                await self._run(update, coroutine)
        finally:
            self._release_slot(key)

    async def _run(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.perf_counter()
        try:
            await coroutine
        finally:
            # Handler errors are reported by the error handler; either way the update
            # was dealt with and must not be replayed from the inbox.
            if self._after is not None and isinstance(update, Update):
                await self._after(update, time.perf_counter() - started)

    def _acquire_slot(self, key: int) -> asyncio.Lock:
        self._users[key] = self._users.get(key, 0) + 1
        return self._locks.setdefault(key, asyncio.Lock())

    def _release_slot(self, key: int) -> None:
        # Forget a chat's lock once nobody waits on it, so memory stays flat.
        self._users[key] -= 1
        if self._users[key] == 0:
            del self._users[key]
            del self._locks[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


def _chat_key(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None
