"""What the content service needs of the crew and the brands, described, not imported:
core.crew.CrewService and core.brands.BrandService fit these (bot/services.py wires them),
and the unit tests pass small doubles."""

from __future__ import annotations

from typing import Protocol

from core.brands.views import BrandView
from core.crew.types import CrewReview, Draft
from domain.crew import ItemKind


class Crew(Protocol):
    async def request(self, draft: Draft) -> CrewReview | None: ...

    async def latest(self, kind: ItemKind, item_id: int) -> CrewReview | None: ...


class Brands(Protocol):
    async def get(self, brand_id: int) -> BrandView: ...

    async def view_for_persona(self, persona_id: int | None) -> BrandView | None: ...
