"""Brand settings as the Mini App shows and changes them: per persona, crew on/off and
the quality threshold, through core.brands (validated whole, like /brand)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from core.brands.views import BrandView
from core.errors import ValidationFailed
from core.personas.views import PersonaView

MAX_PERSONAS = 200  # /persona pages by 50; nobody runs more brands than this


class Brands(Protocol):
    async def list(self) -> tuple[BrandView, ...]: ...
    async def get(self, brand_id: int) -> BrandView: ...
    async def update(self, brand_id: int, changes: dict[str, Any], *, actor: str) -> BrandView: ...


def settings_changes(body: dict[str, Any]) -> dict[str, Any]:
    """`crew_enabled` (true/false) and `quality_threshold` (0-100) from a request body."""
    changes: dict[str, Any] = {}
    problems: list[str] = []
    if "crew_enabled" in body:
        if not isinstance(body["crew_enabled"], bool):
            problems.append("Review crew must be on or off (crew_enabled: true or false).")
        changes["crew_enabled"] = body["crew_enabled"]
    if "quality_threshold" in body:
        value = body["quality_threshold"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            problems.append("Quality threshold must be a whole number from 0 to 100.")
        changes["quality_threshold"] = value
    unknown = sorted(set(body) - {"crew_enabled", "quality_threshold"})
    problems += [f"{name} can't be changed here; use /brand in the chat." for name in unknown]
    if not changes and not problems:
        problems.append("Nothing to change: send crew_enabled or quality_threshold.")
    if problems:
        raise ValidationFailed(problems)
    return changes


class Personas(Protocol):
    async def list(self, *, offset: int = 0, limit: int = 50) -> Sequence[PersonaView]: ...


def changed_by(actor: str) -> str:
    """Who a brand's `updated_by` names, for people: "user:1001" is admin 1001."""
    kind, _, who = actor.partition(":")
    if kind == "user" and who:
        return f"admin {who}"
    return "the REST API" if actor == "api" else actor


class BrandSettings:
    def __init__(self, brands: Brands, personas: Personas) -> None:
        self._brands = brands
        self._personas = personas

    async def list(self) -> tuple[BrandView, ...]:
        """The default brand first, then by persona name."""
        views = await self._brands.list()
        return tuple(
            sorted(views, key=lambda v: (not v.is_default, v.persona_name or "", v.brand_id))
        )

    async def without_brand(self, brands: Sequence[BrandView]) -> tuple[str, ...]:
        """The personas with no brand of their own: the default brand covers them."""
        own = {view.persona_id for view in brands}
        personas = await self._personas.list(limit=MAX_PERSONAS)
        return tuple(persona.name for persona in personas if persona.id not in own)

    async def change(self, brand_id: int, body: dict[str, Any], *, user_id: int) -> BrandView:
        """ValidationFailed for bad input (nothing changes), NotFound for an unknown brand."""
        return await self._brands.update(brand_id, settings_changes(body), actor=f"user:{user_id}")
