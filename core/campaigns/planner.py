"""Ask the model for a campaign plan and check it; nothing is stored until create().

The Telegram conversation collects a PlanRequest, shows the PlanPreview, and on "create"
calls CampaignService.create(preview.plan, actor=..., model=preview.model).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from core.campaigns.models import (
    MAX_DAYS_AHEAD,
    MAX_POSTS,
    CampaignPlan,
    PlanDraft,
    PostPlan,
    validate_plan,
)
from core.campaigns.problems import problem_lines
from core.clock import Clock
from core.errors import ValidationFailed
from core.experiments.keys import request_key
from core.memory.retrieval import PromptMemory
from core.personas.service import PersonaService
from core.personas.views import PersonaView
from core.suggestions.ports import PromptRenderer, StructuredLLM
from domain.memory import MemoryKind

TEMPLATE = "campaign_plan"
# What a plan is shown of the past: posts, post ideas and /write pieces.
CAMPAIGN_MEMORY = (MemoryKind.POST, MemoryKind.SUGGESTION, MemoryKind.CONTENT)

Brief = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class PlanRequest(BaseModel):
    """What a person tells the planner. `format_mix` is text or a mapping like {"image": 3}."""

    model_config = ConfigDict(extra="forbid")

    persona_id: int = Field(ge=1)
    goal: Brief
    tone: Brief
    audience: Brief
    start_date: date
    end_date: date
    post_count: int = Field(ge=1, le=MAX_POSTS)
    format_mix: Brief | dict[str, int] = "image"

    @classmethod
    def checked(cls, data: object) -> PlanRequest:
        """Validate what a conversation collected; ValidationFailed has one line per problem."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ValidationFailed(problem_lines(exc)) from None

    @model_validator(mode="after")
    def _ordered(self) -> PlanRequest:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


@dataclass(frozen=True)
class PlanPreview:
    persona: PersonaView
    plan: CampaignPlan
    model: str
    call_id: int | None
    # Things a person should look at before creating: not errors, the plan is valid.
    warnings: tuple[str, ...]


class CampaignPlanner:
    def __init__(
        self,
        personas: PersonaService,
        prompts: PromptRenderer,
        llm: StructuredLLM,
        clock: Clock,
        tz: ZoneInfo,
        recall: PromptMemory | None = None,
    ) -> None:
        self._personas = personas
        self._prompts = prompts
        self._llm = llm
        self._clock = clock
        self._tz = tz
        # Semantic memory: the persona's past posts like this campaign, and its best ones.
        self._recall = recall or PromptMemory()

    async def preview(self, request: PlanRequest, *, fresh: bool = False) -> PlanPreview:
        """Raises NotFound (persona), LLMError, or ValidationFailed with one line per problem.

        `fresh` for a Retry or a Re-plan: the person wants a new answer, not the cached one.
        """
        persona = await self._personas.get(request.persona_id)
        now = self._clock.now()
        recalled = await self._recall.recall(
            _query(request, persona), persona_id=persona.id, kinds=CAMPAIGN_MEMORY
        )
        variables = {**self.variables(request, persona, now), "memory": recalled.text}
        # A plan is a new set of items: a request key splits plans by the variants' weights.
        rendered = self._prompts.render(TEMPLATE, variables, variant_key=request_key())
        rendered = replace(rendered, fresh=fresh, retrieval=recalled.retrieval)
        result = await self._llm.generate(rendered, PlanDraft)
        plan = validate_plan(result.value.to_plan(persona.id), now=now, tz=self._tz)
        notes = tuple(_warnings(plan, request, persona, self._tz))
        return PlanPreview(persona, plan, result.model, result.call_id, notes)

    def variables(
        self, request: PlanRequest, persona: PersonaView, now: datetime
    ) -> dict[str, object]:
        local = now.astimezone(self._tz)
        return {
            "persona": persona.prompt_context(),
            "goal": request.goal,
            "tone": request.tone,
            "audience": request.audience,
            "start_date": request.start_date.isoformat(),
            "end_date": min(request.end_date, _last_day(local)).isoformat(),
            "post_count": request.post_count,
            "format_mix": request.format_mix,
            "timezone": self._tz.key,
            "today": f"{local:%Y-%m-%d} ({local:%A})",
        }


def _query(request: PlanRequest, persona: PersonaView) -> str:
    """What the campaign is about, for semantic memory: persona, goal, audience, tone."""
    return "\n".join([persona.name, request.goal, request.audience, request.tone])


def _last_day(local_now: datetime) -> date:
    return (local_now + timedelta(days=MAX_DAYS_AHEAD)).date()


def _warnings(
    plan: CampaignPlan, request: PlanRequest, persona: PersonaView, tz: ZoneInfo
) -> list[str]:
    notes: list[str] = []
    if len(plan.posts) != request.post_count:
        notes.append(f"The plan has {len(plan.posts)} posts; {request.post_count} were asked for.")
    known = {p.name.casefold() for p in persona.content_pillars}
    for number, post in enumerate(plan.posts, start=1):
        notes.extend(_post_warnings(number, post, request, known, tz))
    return notes


def _post_warnings(
    number: int, post: PostPlan, request: PlanRequest, known: set[str], tz: ZoneInfo
) -> list[str]:
    notes = []
    day = post.scheduled_at.astimezone(tz).date()
    if not request.start_date <= day <= request.end_date:
        notes.append(f"Post #{number}: {day} is outside the campaign period.")
    pillar = post.content_pillar_name
    if pillar.casefold() not in known:
        notes.append(f"Post #{number}: content pillar {pillar!r} is new and will be created.")
    return notes
