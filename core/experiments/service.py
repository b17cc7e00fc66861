"""/prompts as a use case: how each template's variants fare, and promoting the winner.

Numbers come from `item_outcomes` (one row per generation, closed by a person's decision),
grouped by the template, version and variant the logged call used. Promotion writes the
variant as a new stored version and records it in `prompt_promotions`; the registry
renders it from then on, on every replica, until the file on disk changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.errors import AlreadyDecided, InvalidTransition, NotFound, TemplateError
from core.experiments.stats import wilson_interval
from core.prompting.registry import PromptRegistry
from storage.repos import outcomes as outcome_repo
from storage.repos import prompts as prompt_repo
from storage.repos.outcomes import OutcomeCounts, VariantKey


@dataclass(frozen=True)
class VariantReport:
    name: str
    # Its traffic share in the template rendered now; None for an arm of an older version.
    weight: int | None
    counts: OutcomeCounts
    # Wilson 95 % interval of the acceptance rate.
    interval: tuple[float, float]


@dataclass(frozen=True)
class VersionReport:
    version: int
    current: bool
    variants: tuple[VariantReport, ...]


@dataclass(frozen=True)
class TemplateReport:
    name: str
    description: str
    version: int
    # The promoted variant rendered instead of the file, if any.
    promoted_variant: str | None
    # Newest first; the current version is listed even before it has any outcome.
    versions: tuple[VersionReport, ...]
    totals: OutcomeCounts

    @property
    def promotable(self) -> tuple[str, ...]:
        """Arms of the current version that Promote can make the only one."""
        current = next((v for v in self.versions if v.current), None)
        if current is None or len(current.variants) < 2:
            return ()
        return tuple(variant.name for variant in current.variants if variant.weight is not None)


@dataclass(frozen=True)
class Promotion:
    name: str
    variant: str
    version: int
    # The promoted template as a prompts/<name>.yaml file, to be committed.
    yaml_text: str


class PromptExperiments:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        registry: PromptRegistry,
        clock: Clock,
    ) -> None:
        self._sessions = session_factory
        self._registry = registry
        self._clock = clock

    def names(self) -> list[str]:
        return self._registry.names()

    async def overview(self) -> tuple[TemplateReport, ...]:
        """Every template, with what its outcomes say (one query for all of them)."""
        await self._registry.refresh(self._sessions)
        counts = await self._counts()
        return tuple(self._report(name, counts) for name in self._registry.names())

    async def template(self, name: str) -> TemplateReport:
        await self._registry.refresh(self._sessions)
        self._require(name)
        return self._report(name, await self._counts())

    async def promote(self, name: str, seen_version: int, variant: str, user_id: int) -> Promotion:
        """Make `variant` the base with 100 % of the traffic, as a new stored version.

        Refused (AlreadyDecided) when the template changed since the person looked at it
        (`seen_version`), e.g. another admin promoted first or the file was redeployed.
        """
        await self._registry.refresh(self._sessions)
        self._require(name)
        if self._registry.version(name) != seen_version:
            raise AlreadyDecided(
                f"'{name}' is at version {self._registry.version(name)} now, not "
                f"{seen_version}; here are its current numbers."
            )
        current = self._registry.get(name)
        if len(current.variants) < 2:
            raise InvalidTransition(f"'{name}' has one variant only; there is nothing to promote.")
        try:
            promoted = current.promoted(variant)
        except TemplateError:
            raise NotFound(f"'{name}' has no variant '{variant}' any more.") from None
        version = await prompt_repo.ensure_version(
            self._sessions, name=name, content_hash=promoted.content_hash, body=promoted.body
        )
        async with self._sessions.begin() as session:
            await outcome_repo.add_promotion(
                session,
                name=name,
                source_hash=self._registry.file_template(name).content_hash,
                variant=variant,
                version=version,
                user_id=user_id,
                at=self._clock.now(),
            )
        await self._registry.refresh(self._sessions)
        return Promotion(name, variant, version, promoted.to_yaml())

    def _require(self, name: str) -> None:
        try:
            self._registry.get(name)
        except TemplateError:
            raise NotFound(f"There is no prompt template '{name}'.") from None

    async def _counts(self) -> dict[VariantKey, OutcomeCounts]:
        async with self._sessions() as session:
            return await outcome_repo.counts_by_variant(session)

    def _report(self, name: str, counts: dict[VariantKey, OutcomeCounts]) -> TemplateReport:
        template = self._registry.get(name)
        current = self._registry.version(name)
        weights = {variant.name: variant.weight for variant in template.variants}
        by_version: dict[int, dict[str, OutcomeCounts | None]] = {current: dict.fromkeys(weights)}
        for key, value in counts.items():
            if key.template_name == name:
                by_version.setdefault(key.template_version, {})[key.variant] = value
        versions = tuple(
            VersionReport(
                version=number,
                current=number == current,
                variants=tuple(
                    _variant(arm, weights.get(arm) if number == current else None, found)
                    for arm, found in arms.items()
                ),
            )
            for number, arms in sorted(by_version.items(), reverse=True)
        )
        totals = sum(
            (value for key, value in counts.items() if key.template_name == name), OutcomeCounts()
        )
        promoted = template.variants[0].name if self._registry.is_promoted(name) else None
        return TemplateReport(name, template.spec.description, current, promoted, versions, totals)


def _variant(name: str, weight: int | None, counts: OutcomeCounts | None) -> VariantReport:
    counts = counts or OutcomeCounts()
    return VariantReport(name, weight, counts, wilson_interval(counts.accepted, counts.decided))
