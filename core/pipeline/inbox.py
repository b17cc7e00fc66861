"""Record callback deliveries once, with a group commit.

Every delivery needs its run looked up and its `webhook-id` stored before it is answered
(else a redelivery after a crash could be applied twice). One transaction per delivery
costs more than the rest of the request together; so deliveries that arrive while one
transaction runs wait for the next, and share it: one SELECT for their runs, one INSERT
… ON CONFLICT DO NOTHING RETURNING for their ids. Each is answered only after its batch
committed, so nothing is acknowledged that is not stored.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.pipeline.models import IN_FLIGHT
from storage.repos import pipeline as repo

KEEP_IDS_FOR = timedelta(hours=1)  # far longer than the 5-minute signature window
PRUNE_EVERY = timedelta(minutes=1)
Verdict = Literal["accepted", "duplicate", "ignored"]


@dataclass(frozen=True)
class Arrival:
    webhook_id: str
    event_type: str
    prompt_id: str


@dataclass(frozen=True)
class Receipt:
    verdict: Verdict
    run_id: int | None = None
    in_flight: bool = False


IGNORED = Receipt("ignored")
DUPLICATE = Receipt("duplicate")
_Waiting = tuple[Arrival, "asyncio.Future[Receipt]"]
_Run = tuple[int, str]  # run id, status
REMEMBER_AT_MOST = 10_000


class CallbackInbox:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions, self._clock = sessions, clock
        self._waiting: list[_Waiting] = []
        self._flusher: asyncio.Task[None] | None = None
        self._pruned_at: datetime | None = None
        self._finished: dict[str, _Run] = {}

    async def record(self, arrival: Arrival) -> Receipt:
        future: asyncio.Future[Receipt] = asyncio.get_running_loop().create_future()
        self._waiting.append((arrival, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="pipeline-callback-inbox")
        return await future

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                receipts = await self._store([arrival for arrival, _ in batch])
            except Exception as error:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), receipt in zip(batch, receipts, strict=True):
                if not future.done():  # its request may have gone away meanwhile
                    future.set_result(receipt)

    async def _store(self, arrivals: Sequence[Arrival]) -> list[Receipt]:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            runs = await self._runs(session, {a.prompt_id for a in arrivals})
            rows = _first_of_each([a for a in arrivals if a.prompt_id in runs], now)
            new = await repo.record_webhooks(session, rows)
            await self._maybe_prune(session, now)
        fresh = set(new)
        receipts = []
        for arrival in arrivals:
            run = runs.get(arrival.prompt_id)
            if run is None:
                receipts.append(IGNORED)
            elif arrival.webhook_id in fresh:
                fresh.discard(arrival.webhook_id)  # the same id twice in one batch: once
                receipts.append(Receipt("accepted", run[0], run[1] in IN_FLIGHT))
            else:
                receipts.append(DUPLICATE)
        return receipts

    async def _runs(self, session: AsyncSession, prompt_ids: set[str]) -> dict[str, _Run]:
        """Finished runs never change: they are remembered; the others are read each time."""
        known = {p: self._finished[p] for p in prompt_ids if p in self._finished}
        if len(known) < len(prompt_ids):
            found = await repo.runs_by_prompt_ids(session, prompt_ids - known.keys())
            for prompt_id, run in found.items():
                if run[1] not in IN_FLIGHT and len(self._finished) < REMEMBER_AT_MOST:
                    self._finished[prompt_id] = run
            known |= found
        return known

    async def _maybe_prune(self, session: AsyncSession, now: datetime) -> None:
        if self._pruned_at is None or now - self._pruned_at > PRUNE_EVERY:
            self._pruned_at = now
            await repo.prune_webhooks(session, before=now - KEEP_IDS_FOR)


def _first_of_each(arrivals: Sequence[Arrival], at: datetime) -> list[dict[str, object]]:
    rows: dict[str, dict[str, object]] = {}
    for a in arrivals:
        rows.setdefault(
            a.webhook_id,
            {"webhook_id": a.webhook_id, "event_type": a.event_type,
             "prompt_id": a.prompt_id, "received_at": at},
        )  # fmt: skip
    return list(rows.values())
