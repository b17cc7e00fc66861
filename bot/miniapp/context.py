"""Everything the Mini App's routes need, built once from the services (or by a test)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from core.clock import Clock
from core.dashboard import BrandSettings, DashboardCalendar, DashboardNumbers
from core.review_queue import Decision, QueueAction, QueueItem
from domain.crew import ItemKind


class Queue(Protocol):
    """core.review_queue.ReviewQueue, as the routes use it."""

    async def items(self) -> list[QueueItem]: ...

    async def decide(
        self, kind: ItemKind, item_id: int, action: QueueAction, user_id: int, *,
        text: str | None = None, revision: int | None = None, status: str | None = None,
        confirmed: bool = False, user_name: str | None = None,
    ) -> Decision: ...  # fmt: skip

    async def image(self, image_id: int) -> tuple[bytes, str] | None: ...


@dataclass(frozen=True)
class MiniAppContext:
    secret: bytes  # init_data.secret_key(bot token)
    admins: frozenset[int]
    clock: Clock
    calendar: DashboardCalendar
    numbers: DashboardNumbers
    brands: BrandSettings
    queue: Queue


MINIAPP = web.AppKey("miniapp", MiniAppContext)
