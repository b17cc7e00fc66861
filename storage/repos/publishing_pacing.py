"""Send slots shared by every replica: per target (a channel takes ~20 posts a minute) and
for the whole bot (Telegram takes ~30 messages a second per bot).

Rows are locked in one order, target rows sorted, then the global row: claims from
several replicas queue for each other briefly instead of deadlocking.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PostDelivery, PublishPacing
from storage.repos.publishing_rows import dialect_insert

GLOBAL = "*"  # the pacing row every claim locks last: one rate booking at a time


async def reserve_slots(
    session: AsyncSession, counts: Mapping[str, int], *, now: datetime, interval: timedelta
) -> dict[str, list[datetime]]:
    """`counts[target]` consecutive send slots per target, `interval` apart, after the last
    slot any replica took. Rows are locked in target order, so claims never deadlock."""
    keys = sorted(counts)
    rows_new = [{"target": key, "next_at": now} for key in keys]
    fresh = dialect_insert(session, PublishPacing).values(rows_new)
    await session.execute(fresh.on_conflict_do_nothing(index_elements=[PublishPacing.target]))
    rows = await session.execute(
        select(PublishPacing.target, PublishPacing.next_at)
        .where(PublishPacing.target.in_(keys))
        .order_by(PublishPacing.target)
        .with_for_update()
    )
    slots: dict[str, list[datetime]] = {}
    for key, next_at in list(rows):
        start = max(now, next_at)
        slots[key] = [start + interval * i for i in range(counts[key] + 1)]
    # One executemany by primary key: each target's next free slot.
    moved = [{"target": key, "next_at": found.pop()} for key, found in slots.items()]
    await session.execute(update(PublishPacing), moved)
    return slots


async def reserve_rate(
    session: AsyncSession, wanted: Sequence[datetime], *, now: datetime, per_second: float
) -> list[datetime]:
    """Each wanted time (earliest first) moved to the first moment at least 1/rate away from
    every send already booked by any replica, so the bot never exceeds the rate.

    Gaps are filled: a post booked minutes ahead (a busy channel's tenth post) does not
    hold back another channel's post due now.
    """
    if not wanted:
        return []
    await _lock_global(session, now)
    gap = timedelta(microseconds=math.ceil(1_000_000 / per_second))  # rounded up: never over
    found = await session.scalars(
        select(PostDelivery.send_after).where(PostDelivery.send_after > min(wanted) - gap)
    )
    booked = sorted(at for at in found if at is not None)
    slots = []
    for at in wanted:
        slot = first_free(booked, at, gap)
        insort(booked, slot)
        slots.append(slot)
    return slots


def first_free(booked: Sequence[datetime], at: datetime, gap: timedelta) -> datetime:
    """The earliest moment from `at` on with no booking (sorted) closer than `gap`."""
    index = bisect_left(booked, at - gap)
    slot = at
    while index < len(booked) and booked[index] < slot + gap:
        if booked[index] > slot - gap:
            slot = booked[index] + gap
        index += 1
    return slot


async def _lock_global(session: AsyncSession, now: datetime) -> None:
    fresh = dialect_insert(session, PublishPacing).values(target=GLOBAL, next_at=now)
    await session.execute(fresh.on_conflict_do_nothing(index_elements=[PublishPacing.target]))
    await session.execute(
        select(PublishPacing.target).where(PublishPacing.target == GLOBAL).with_for_update()
    )
