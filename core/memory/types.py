"""What memory hands back: a remembered item, and a match with its similarity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.memory import MemoryKind


@dataclass(frozen=True)
class Remembered:
    kind: MemoryKind
    item_id: int
    persona_id: int | None
    text: str
    label: str  # how a card names it: "the post of 3 Oct", "sequence email #2 of Daily tips"
    outcome: str  # the latest MemoryEvent value
    at: datetime
    engagement: dict[str, float] | None


@dataclass(frozen=True)
class Match:
    item: Remembered
    similarity: float  # cosine, 0..1
