"""The review crew as an item's service sees it: review these words, read the verdict, gate Approve.

Posts and suggestions (and reply drafts and sequence emails, through the same class) ask
for a review whenever their words change, show the review of their *current* words on the
card, offer the optimizer's rewrite when the overall score is under the brand's bar, and
refuse Approve on an unconfirmed compliance failure until a person says they checked it.

`CrewReviews.request` is idempotent per item and content, so asking again is how an item
finds the review of what it says now: a review of older words (before an edit) is never
shown or enforced against the new ones. With the crew off (globally, for the brand, or not
connected at all, as in tools that build services by hand) every method is a no-op.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from core.brands.guidelines import BrandGuidelines
from core.crew.types import CrewReview, Draft
from core.errors import CopilotError, InvalidTransition
from domain.brand import DEFAULT_QUALITY_THRESHOLD
from domain.crew import ItemKind

log = logging.getLogger(__name__)


class CrewReviews(Protocol):
    """What the gate needs of core.crew.service.CrewService."""

    async def request(self, draft: Draft) -> CrewReview | None: ...

    async def latest(self, kind: ItemKind, item_id: int) -> CrewReview | None: ...

    async def confirm_review(self, review_id: int, admin_id: int) -> bool: ...


class Brands(Protocol):
    """What the gate needs of core.brands.BrandService: the brand's quality bar."""

    async def for_persona(self, persona_id: int | None) -> BrandGuidelines | None: ...


class ComplianceUnconfirmed(CopilotError):
    """Approve on a draft whose compliance check failed, before a person confirmed it."""


NEEDS_CONFIRMATION = (
    "The review crew flagged a compliance problem in {what}. "
    "Approve anyway only after checking it yourself."
)
NO_REWRITE = "There is no optimizer rewrite to apply to {what} (any more)."


@dataclass(frozen=True)
class CrewState:
    """The review of an item's current words (None: crew off) and its brand's bar."""

    review: CrewReview | None
    threshold: int

    @property
    def finished(self) -> bool:
        return self.review is None or self.review.finished

    @property
    def blocks_approval(self) -> bool:
        return self.review is not None and self.review.blocks_approval

    @property
    def rewrite(self) -> str | None:
        """The optimizer's text when it is offered: overall score under the brand's bar."""
        report = self.review.report if self.review is not None else None
        if report is None or not report.rewrite:
            return None
        return report.rewrite if report.scores.overall_quality < self.threshold else None

    @property
    def design_prompt(self) -> str | None:
        """The design advisor's first image prompt for these words, if it proposed one."""
        report = self.review.report if self.review is not None else None
        design = report.design if report is not None else None
        prompts = [p.strip() for p in design.image_prompts if p.strip()] if design else []
        return prompts[0] if prompts else None


OFF = CrewState(None, DEFAULT_QUALITY_THRESHOLD)


class CrewGate:
    """Shared by the item services; connected to the crew once the bot's services exist."""

    def __init__(self) -> None:
        self._crew: CrewReviews | None = None
        self._brands: Brands | None = None

    def connect(self, crew: CrewReviews, brands: Brands) -> None:
        """Called once by the composition root (the crew is built after the item services)."""
        self._crew, self._brands = crew, brands

    async def review(self, draft: Draft) -> None:
        """Ask for a review of words just stored. The words are saved already, so a failure
        here is logged and never undoes or fails the edit; the card then shows no scores."""
        try:
            await self.state(draft)
        except Exception:
            log.exception("crew review not requested", extra={"item_id": draft.item_id})

    async def state(self, draft: Draft, *, ask: bool = True) -> CrewState:
        """The review of exactly these words (requested now if it is new) and the bar.

        `ask=False` for a decided item: its last review is shown as it is, nothing new runs.
        """
        if self._crew is None or self._brands is None:
            return OFF
        if ask:
            review = await self._crew.request(draft)
        else:
            review = await self._crew.latest(draft.kind, draft.item_id)
        if review is None:
            return OFF
        brand = await self._brands.for_persona(draft.persona_id)
        threshold = brand.quality_threshold if brand is not None else DEFAULT_QUALITY_THRESHOLD
        return CrewState(review, threshold)

    async def check_approval(self, draft: Draft, user_id: int, *, confirmed: bool) -> None:
        """Raise ComplianceUnconfirmed on an unconfirmed failure; with `confirmed` (the
        person tapped "Approve anyway? I checked it") record who confirmed it instead.

        The confirmation goes on the very review checked here, the one of these words: not
        the item's newest review, which after an edit and an edit back (B, then A again) or
        an edit landing meanwhile may be another text's verdict the person never saw.
        """
        state = await self.state(draft)
        if state.review is None or not state.blocks_approval:
            return
        if not confirmed:
            raise ComplianceUnconfirmed(NEEDS_CONFIRMATION.format(what=_what(draft)))
        assert self._crew is not None  # a blocking review came from it
        # False: another admin confirmed it a moment ago, which is just as good.
        await self._crew.confirm_review(state.review.id, user_id)

    async def rewrite(self, draft: Draft) -> str:
        """The optimizer's rewrite of these words, if it is offered; else InvalidTransition."""
        text = (await self.state(draft)).rewrite
        if text is None:
            raise InvalidTransition(NO_REWRITE.format(what=_what(draft)))
        return text


def _what(draft: Draft) -> str:
    return f"{draft.kind.value.replace('_', ' ')} #{draft.item_id}"
