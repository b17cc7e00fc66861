"""What the rest of the app sees of a persona, and its JSON form (the REST and MCP answer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.models import ContentPillar, Persona


@dataclass(frozen=True)
class PillarView:
    id: int
    name: str
    description: str | None
    weight: float
    priority: int
    active: bool

    @classmethod
    def from_row(cls, row: ContentPillar) -> PillarView:
        return cls(row.id, row.name, row.description, row.weight, row.priority, row.active)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "weight": self.weight,
            "priority": self.priority,
            "active": self.active,
        }


@dataclass(frozen=True)
class PersonaView:
    id: int
    name: str
    caption_config: dict[str, Any]
    hashtag_strategy: dict[str, Any]
    brand_guidelines: str | None
    content_pillars: tuple[PillarView, ...]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_rows(cls, persona: Persona, pillars: list[ContentPillar]) -> PersonaView:
        return cls(
            id=persona.id,
            name=persona.name,
            caption_config=dict(persona.caption_config),
            hashtag_strategy=dict(persona.hashtag_strategy),
            brand_guidelines=persona.brand_guidelines,
            content_pillars=tuple(PillarView.from_row(p) for p in pillars),
            created_at=persona.created_at,
            updated_at=persona.updated_at,
        )

    @property
    def active_pillars(self) -> tuple[PillarView, ...]:
        return tuple(p for p in self.content_pillars if p.active)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "caption_config": self.caption_config,
            "hashtag_strategy": self.hashtag_strategy,
            "brand_guidelines": self.brand_guidelines,
            "content_pillars": [p.as_json() for p in self.content_pillars],
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    def prompt_context(self) -> dict[str, Any]:
        """The `persona` variable of the campaign_plan prompt: active pillars only."""
        return {
            "name": self.name,
            "caption_config": _present(self.caption_config),
            "hashtag_strategy": _present(self.hashtag_strategy),
            "brand_guidelines": self.brand_guidelines,
            "content_pillars": [
                {"name": p.name, "description": p.description} for p in self.active_pillars
            ],
        }


def _present(config: dict[str, Any]) -> dict[str, Any]:
    """Leave out unset settings, so the prompt shows only what the person chose."""
    return {key: value for key, value in config.items() if value not in (None, [], "")}
