"""What the rest of the app sees of a stored brand, and its JSON form (the REST answer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.brands.guidelines import BrandGuidelines
from storage.models import Brand


@dataclass(frozen=True)
class BrandView:
    brand_id: int
    # None: a brand tied to no persona (chosen by id, or used as the default).
    persona_id: int | None
    persona_name: str | None
    # The brand used for items whose persona has none, and for items with no persona.
    is_default: bool
    guidelines: BrandGuidelines
    updated_by: str
    updated_at: datetime

    @classmethod
    def from_row(cls, row: Brand, persona_name: str | None) -> BrandView:
        return cls(
            brand_id=row.id,
            persona_id=row.persona_id,
            persona_name=persona_name,
            is_default=row.is_default,
            # Validated before it was written; validating again keeps the type honest if a
            # field's rules tightened since.
            guidelines=BrandGuidelines.model_validate(row.guidelines),
            updated_by=row.updated_by,
            updated_at=row.updated_at,
        )

    @property
    def name(self) -> str:
        return self.guidelines.brand_name

    def as_json(self) -> dict[str, Any]:
        """The design's Brand Guidelines fields and ours, with where the brand applies.

        `brand_id` is a string, as the design's Campaign Request types it, so a client can
        pass it on to POST /api/campaign/create unchanged.
        """
        return {
            "brand_id": str(self.brand_id),
            "persona_id": self.persona_id,
            "persona": self.persona_name,
            "is_default": self.is_default,
            **self.guidelines.model_dump(mode="json"),
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat(),
        }
