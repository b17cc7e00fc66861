"""Brands: one per persona, brands of their own, and one default for everything else.

`for_persona` is what the review crew, the cards and /write call: the persona's brand,
else the default brand, else None (no brand at all: the crew judges without one).
The first brand saved becomes the default; /brand can move the mark. The database keeps
the invariants (one brand per persona, one default, one persona-less brand per name), so
two admins saving at once end with one row each way; the loser's save is retried once,
and then finds the winner's row and replaces it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.brands.documents import BrandUpload, parse_brand_document
from core.brands.guidelines import BrandGuidelines
from core.brands.views import BrandView
from core.campaigns.problems import problem_lines
from core.errors import Conflict, NotFound, ValidationFailed
from storage.models import Brand
from storage.repos import brands as repo
from storage.repos import personas as persona_repo

# Kept from the stored brand when a new document does not name them: switching the crew
# off in /brand must survive the next upload of the brand's file.
CREW_SETTINGS = ("crew_enabled", "quality_threshold")
ATTEMPTS = 2


class BrandService:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def for_persona(self, persona_id: int | None) -> BrandGuidelines | None:
        """The guidelines drafts for this persona are judged by (see the module doc).

        A brand with empty notes gets the persona's old free-text guidelines as notes, so
        what a person wrote in /persona still reaches the crew.
        """
        async with self._sessions() as session:
            row = await _effective(session, persona_id)
            if row is None:
                return None
            guidelines = BrandGuidelines.model_validate(row.guidelines)
            if guidelines.notes or persona_id is None:
                return guidelines
            persona = await persona_repo.get(session, persona_id)
            text = (persona.brand_guidelines or "").strip() if persona is not None else ""
            return guidelines.model_copy(update={"notes": text[:4000]}) if text else guidelines

    async def view_for_persona(self, persona_id: int | None) -> BrandView | None:
        """for_persona's brand as stored, with its id and name (for a card's "Brand:" line)."""
        async with self._sessions() as session:
            row = await _effective(session, persona_id)
            return await _view(session, row) if row is not None else None

    async def get(self, brand_id: int) -> BrandView:
        """Raises NotFound."""
        async with self._sessions() as session:
            return await _view(session, await _require(session, brand_id))

    async def list(self) -> tuple[BrandView, ...]:
        """Every brand, the default first, then by name."""
        async with self._sessions() as session:
            rows = await repo.list_with_personas(session)
            return tuple(BrandView.from_row(row, name) for row, name in rows)

    async def save(
        self, guidelines: BrandGuidelines, *, persona_id: int | None = None, actor: str = "api"
    ) -> BrandView:
        """Create or replace a brand (see `upsert`)."""
        view, _created = await self.upsert(guidelines, persona_id=persona_id, actor=actor)
        return view

    async def upsert(
        self, guidelines: BrandGuidelines, *, persona_id: int | None, actor: str
    ) -> tuple[BrandView, bool]:
        """The persona's brand (or, with no persona, the brand of this name) is replaced,
        keeping its crew settings unless `guidelines` sets them; otherwise a brand is
        created, the default if it is the first. True when created. NotFound for an
        unknown persona."""
        for attempt in range(ATTEMPTS):
            try:
                async with self._sessions.begin() as session:
                    return await _upsert(session, guidelines, persona_id, actor)
            except IntegrityError:
                # Another save won a race for the persona, the name or the default mark;
                # the next attempt sees its row.
                if attempt + 1 == ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    async def upload(self, upload: BrandUpload, *, actor: str) -> tuple[BrandView, bool]:
        """A checked document (REST body or file): its persona named by id or by name."""
        persona_id = upload.persona_id
        if upload.persona_name is not None:
            persona_id = await self._persona_named(upload.persona_name)
        return await self.upsert(upload.guidelines, persona_id=persona_id, actor=actor)

    async def import_document(
        self, text: str, *, actor: str, persona_id: int | None = None
    ) -> tuple[BrandView, bool]:
        """A YAML or JSON file; `persona_id` (the one picked in /brand) wins over the file's."""
        upload = parse_brand_document(text)
        if persona_id is not None:
            upload = BrandUpload(upload.guidelines, persona_id)
        return await self.upload(upload, actor=actor)

    async def update(self, brand_id: int, changes: dict[str, Any], *, actor: str) -> BrandView:
        """Change some fields; the result is validated whole. ValidationFailed, NotFound,
        Conflict (a new name another brand without persona has)."""
        try:
            async with self._sessions.begin() as session:
                # Lock the row first (on SQLite, the database) so two edits of one brand
                # run one after the other and neither loses the other's field.
                if not await repo.update_fields(session, brand_id, {"updated_by": actor}):
                    raise _missing(brand_id)
                row = await _require(session, brand_id)
                merged = _validated({**row.guidelines, **changes})
                await repo.update_fields(session, brand_id, _columns(merged))
                return await _view(session, await _require(session, brand_id))
        except IntegrityError:
            name = str(changes.get("brand_name", ""))
            raise Conflict(f"Another brand without a persona is named {name!r}.") from None

    async def set_crew(self, brand_id: int, enabled: bool, *, actor: str) -> BrandView:
        return await self.update(brand_id, {"crew_enabled": enabled}, actor=actor)

    async def set_threshold(self, brand_id: int, threshold: int, *, actor: str) -> BrandView:
        return await self.update(brand_id, {"quality_threshold": threshold}, actor=actor)

    async def set_default(self, brand_id: int, *, actor: str) -> BrandView:
        """Make this the default brand (the one before loses the mark). NotFound."""
        async with self._sessions.begin() as session:
            if not await repo.make_default(session, brand_id, actor):
                raise _missing(brand_id)
            return await _view(session, await _require(session, brand_id))

    async def delete(self, brand_id: int) -> BrandView:
        """Delete a brand; returns it as it was. Drafts it judged keep their scores (a crew
        review holds its own copy of the brand); drafts asked for from now on are judged by
        the default brand, or by none. Deleting the default leaves no default until one is
        made so: picking one for the user would judge their drafts by a brand they did
        not choose. NotFound."""
        async with self._sessions.begin() as session:
            view = await _view(session, await _require(session, brand_id))
            if not await repo.delete(session, brand_id):
                raise _missing(brand_id)
            return view

    async def _persona_named(self, name: str) -> int:
        async with self._sessions() as session:
            persona = await persona_repo.by_name(session, name)
        if persona is None:
            raise NotFound(f"There is no persona named {name!r}.")
        return persona.id


async def _upsert(
    session: AsyncSession, guidelines: BrandGuidelines, persona_id: int | None, actor: str
) -> tuple[BrandView, bool]:
    if persona_id is not None and not await persona_repo.exists(session, persona_id):
        raise NotFound(f"Persona #{persona_id} does not exist.")
    existing = await _same_place(session, guidelines, persona_id)
    if existing is not None:
        kept = {k: existing.guidelines[k] for k in CREW_SETTINGS if k in existing.guidelines}
        sent = guidelines.model_dump(mode="json", exclude_unset=True)
        merged = _validated({**kept, **sent})
        await repo.update_fields(session, existing.id, {**_columns(merged), "updated_by": actor})
        return await _view(session, await _require(session, existing.id)), False
    first = not await repo.any_exists(session)
    values = {**_columns(guidelines), "persona_id": persona_id, "updated_by": actor}
    row = await repo.insert(session, {**values, "is_default": first})
    return await _view(session, row), True


async def _same_place(
    session: AsyncSession, guidelines: BrandGuidelines, persona_id: int | None
) -> Brand | None:
    """The brand an upload replaces: the persona's, or the persona-less one of that name."""
    if persona_id is not None:
        return await repo.for_persona(session, persona_id)
    return await repo.without_persona(session, _name_key(guidelines.brand_name))


async def _effective(session: AsyncSession, persona_id: int | None) -> Brand | None:
    own = await repo.for_persona(session, persona_id) if persona_id is not None else None
    return own if own is not None else await repo.default(session)


def _validated(data: dict[str, Any]) -> BrandGuidelines:
    try:
        return BrandGuidelines.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problem_lines(exc)) from None


def _columns(guidelines: BrandGuidelines) -> dict[str, Any]:
    return {
        "guidelines": guidelines.model_dump(mode="json"),
        "name_key": _name_key(guidelines.brand_name),
    }


def _name_key(name: str) -> str:
    return name.strip().casefold()[:100]


async def _require(session: AsyncSession, brand_id: int) -> Brand:
    row = await repo.get(session, brand_id)
    if row is None:
        raise _missing(brand_id)
    return row


def _missing(brand_id: int) -> NotFound:
    return NotFound(f"Brand #{brand_id} does not exist.")


async def _view(session: AsyncSession, row: Brand) -> BrandView:
    return BrandView.from_row(row, await repo.persona_name(session, row.persona_id))
