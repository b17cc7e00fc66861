"""What the product side needs of core.memory.service.MemoryService, and where it is found.

Items' services are built before the memory service exists (bot/assembly.py builds posts and
suggestions first), so each gets one `MemoryLink`, connected once the services are up (like
core.posts.crew_gate.CrewGate). Unconnected, or connected to a service that is off, memory
is simply absent: nothing is remembered, no card warns, no prompt gets a memory block.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from core.memory.types import Match, Remembered
from domain.memory import MemoryEvent, MemoryKind


class Memory(Protocol):
    """The parts of MemoryService the recorder, the cards and the prompts use."""

    @property
    def enabled(self) -> bool: ...

    async def remember(
        self,
        *,
        kind: MemoryKind,
        item_id: int,
        persona_id: int | None,
        text: str,
        label: str,
        event: MemoryEvent,
        at: datetime | None = None,
        engagement: dict[str, float] | None = None,
    ) -> None: ...

    async def similar(
        self,
        text: str,
        *,
        persona_id: int | None,
        kinds: Sequence[MemoryKind] | None = None,
        k: int = 5,
        exclude: tuple[MemoryKind, int] | None = None,
        within_days: int | None = None,
    ) -> list[Match]: ...

    async def near_repeat(
        self, text: str, *, persona_id: int | None, exclude: tuple[MemoryKind, int] | None = None
    ) -> Match | None: ...

    async def best_accepted(
        self, *, persona_id: int | None, kinds: Sequence[MemoryKind], k: int = 3
    ) -> list[Remembered]: ...

    async def get(self, kind: MemoryKind, item_id: int) -> Remembered | None: ...


class MemoryLink:
    """The memory service once connected; None before, and when memory is off."""

    def __init__(self) -> None:
        self._memory: Memory | None = None

    def connect(self, memory: Memory) -> None:
        self._memory = memory

    @property
    def memory(self) -> Memory | None:
        memory = self._memory
        return memory if memory is not None and memory.enabled else None
