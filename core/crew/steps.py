"""One crew member's call: render its template, ask the model, never raise.

Every step is bounded by CREW_STEP_TIMEOUT_S (re-asks included). A step that times out,
runs out of budget or gets no valid answer comes back `skipped` with a reason a person can
read; the rest of the crew carries on without it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel

from core.crew.types import StepReport
from core.errors import CopilotError
from core.llm.budget import to_micro
from core.suggestions.ports import PromptRenderer, StructuredLLM
from domain.crew import StepName, StepState

log = logging.getLogger(__name__)

A = TypeVar("A", bound=BaseModel)

TEMPLATES: dict[StepName, str] = {step: f"crew_{step.value}" for step in StepName}


@dataclass(frozen=True)
class StepOutcome(Generic[A]):
    report: StepReport
    answer: A | None  # None when skipped

    @property
    def cost_microusd(self) -> int:
        return self.report.cost_microusd


class StepRunner:
    """Asks one step's model call; shared by every step of every run."""

    def __init__(self, prompts: PromptRenderer, llm: StructuredLLM, *, timeout_s: float) -> None:
        self._prompts = prompts
        self._llm = llm
        self._timeout_s = timeout_s

    async def ask(
        self,
        step: StepName,
        variables: Mapping[str, object],
        schema: type[A],
        *,
        variant_key: str,
    ) -> StepOutcome[A]:
        try:
            request = self._prompts.render(TEMPLATES[step], variables, variant_key=variant_key)
            async with asyncio.timeout(self._timeout_s):
                result = await self._llm.generate(request, schema)
        except TimeoutError:
            return _skipped(step, f"took longer than {self._timeout_s:g} s")
        except CopilotError as exc:  # budget, no model, no valid answer: said plainly
            return _skipped(step, str(exc))
        except Exception as exc:  # a bug or an unexpected library error: logged, not fatal
            log.exception("crew step %s failed", step.value)
            return _skipped(step, f"unexpected error ({type(exc).__name__})")
        report = StepReport(
            step=step,
            state=StepState.DONE,
            cost_microusd=to_micro(result.cost_usd),
            llm_call_id=result.call_id,
        )
        return StepOutcome(report, result.value)


def _skipped(step: StepName, reason: str) -> StepOutcome[A]:
    log.warning("crew step %s skipped: %s", step.value, reason)
    return StepOutcome(StepReport(step=step, state=StepState.SKIPPED, reason=reason), None)
