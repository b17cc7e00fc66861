"""A flow from a description: generate → deterministic fixes → at most two repair rounds.

The model answers in the flow's JSON Schema (sent as response_format, which llama.cpp turns
into a grammar), but its answer is read leniently (`FlowAnswer`): the typical mistakes —
"MESSAGE" for "message", a dangling target, a missing end or opt-out line — are repaired by
`core.flows.checks.check_flow` without spending another call, and what is left is sent back
with every problem spelled out (`flow_repair`). A flow that is still invalid after the
second round is never returned: `FlowNotValid` carries the problems instead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from core.brands.guidelines import BrandGuidelines
from core.errors import CopilotError, LLMError
from core.flows.checks import FlowCheck, check_flow
from core.flows.sms import PLACEHOLDERS
from core.flows.wire import flow_json_schema, flow_to_wire
from core.llm.types import LLMRequest, LLMResult, T
from core.memory.retrieval import PromptMemory
from core.prompting.registry import PromptRegistry
from domain.memory import MemoryKind

GENERATE_TEMPLATE = "flow_generate"
REPAIR_TEMPLATE = "flow_repair"
MAX_REPAIRS = 2
FLOW_MEMORY = (MemoryKind.SMS,)
MAX_GRAMMAR_ITEMS = 12


class Generator(Protocol):
    """The part of core.llm.gateway.LLMGateway used here (a double in unit tests)."""

    async def generate(self, request: LLMRequest, schema: type[T]) -> LLMResult[T]: ...


class FlowAnswer(BaseModel):
    """The model's answer, read as loosely as JSON allows: validation is check_flow's job,
    so a wrong type-name case or a missing field is fixed or reported precisely instead of
    the whole answer being re-asked. The model is still shown (and, on llama.cpp,
    constrained by) the flow's real JSON Schema."""

    model_config = ConfigDict(extra="allow")

    steps: list[Any]

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        schema: dict[str, Any] = grammar_friendly(flow_json_schema())
        return schema

    def raw(self) -> dict[str, Any]:
        return self.model_dump()


class FlowNotValid(CopilotError):
    """No valid flow could be made; nothing was stored. `problems` say what is still wrong."""

    def __init__(
        self,
        problems: Sequence[str],
        corrections: Sequence[str],
        repairs: int,
        check_ms: float = 0.0,
    ) -> None:
        self.problems = tuple(problems)
        self.check_ms = check_ms
        self.corrections = tuple(corrections)
        self.repairs = repairs
        count = len(self.problems)
        super().__init__(
            f"No valid flow could be made after {repairs} repair round(s): "
            f"{count} problem{'s' if count != 1 else ''} left."
        )


@dataclass
class Usage:
    """What all the calls of one generation used together."""

    tokens: int = 0
    cost_usd: Decimal = Decimal(0)
    calls: int = 0

    def add(self, result: LLMResult[Any]) -> None:
        self.tokens += result.input_tokens + result.output_tokens
        self.cost_usd += result.cost_usd
        self.calls += 1


@dataclass(frozen=True)
class MadeFlow:
    """A valid flow and how it was made (the response's metadata)."""

    wire: dict[str, Any]  # {"initialStepID", "steps"}: segments/encoding on sending steps
    llm_call_id: int | None  # the generating call (its template/variant is the experiment's)
    model_used: str
    tokens_used: int
    cost_usd: Decimal
    generation_time_ms: int
    prompt_version: int
    prompt_variant: str
    repairs: int
    corrections: tuple[str, ...]
    check_ms: float  # time spent in fixes + validation, all rounds (bench/flows.py)


@dataclass
class _Run:
    description: str
    allowlist: list[str]
    usage: Usage = field(default_factory=Usage)
    corrections: list[str] = field(default_factory=list)
    repairs: int = 0
    check_s: float = 0.0


class FlowMaker:
    def __init__(
        self, prompts: PromptRegistry, llm: Generator, recall: PromptMemory | None = None
    ) -> None:
        self._prompts = prompts
        self._llm = llm
        # Semantic memory: past SMS texts like this flow's, and the best-received ones.
        self._recall = recall or PromptMemory()

    async def make(
        self,
        description: str,
        *,
        brand: BrandGuidelines | None = None,
        variant_key: str | None = None,
        fresh: bool = False,
        persona_id: int | None = None,
    ) -> MadeFlow:
        """A valid flow, or FlowNotValid (LLMError and friends when the first call fails)."""
        started = time.monotonic()
        run = _Run(description, list(brand.link_allowlist) if brand else [])
        recalled = await self._recall.recall(description, persona_id=persona_id, kinds=FLOW_MEMORY)
        variables = {**self._variables(run, brand), "memory": recalled.text}
        request = self._prompts.render(GENERATE_TEMPLATE, variables, variant_key=variant_key)
        request = replace(request, fresh=fresh, retrieval=recalled.retrieval)
        first = await self._llm.generate(request, FlowAnswer)
        run.usage.add(first)
        check = self._check(run, first.value)
        while not check.valid and run.repairs < MAX_REPAIRS:
            answer = await self._repair(run, check, variant_key)
            if answer is None:
                break
            check = self._check(run, answer)
        if not check.valid or check.flow is None:
            problems = [problem.message for problem in check.problems]
            raise FlowNotValid(problems, run.corrections, run.repairs, run.check_s * 1000)
        prompt = request.prompt
        return MadeFlow(
            wire=flow_to_wire(check.flow),
            llm_call_id=first.call_id,
            model_used=first.model,
            tokens_used=run.usage.tokens,
            cost_usd=run.usage.cost_usd,
            generation_time_ms=int((time.monotonic() - started) * 1000),
            prompt_version=prompt.version if prompt else 0,
            prompt_variant=prompt.variant if prompt else "base",
            repairs=run.repairs,
            corrections=tuple(run.corrections),
            check_ms=run.check_s * 1000,
        )

    def _check(self, run: _Run, answer: FlowAnswer) -> FlowCheck:
        started = time.perf_counter()
        check = check_flow(answer.raw(), link_allowlist=run.allowlist)
        run.check_s += time.perf_counter() - started
        run.corrections.extend(check.corrections)
        return check

    async def _repair(
        self, run: _Run, check: FlowCheck, variant_key: str | None
    ) -> FlowAnswer | None:
        """One repair round; None when the model gave no usable answer (the problems stand)."""
        run.repairs += 1
        variables = {
            "description": run.description,
            "flow": json.dumps(check.fixed, ensure_ascii=False),
            "problems": [problem.message for problem in check.problems],
            "placeholders": placeholder_list(),
            "link_allowlist": run.allowlist,
        }
        request = self._prompts.render(REPAIR_TEMPLATE, variables, variant_key=variant_key)
        try:
            result = await self._llm.generate(request, FlowAnswer)
        except LLMError:
            return None
        run.usage.add(result)
        return result.value

    @staticmethod
    def _variables(run: _Run, brand: BrandGuidelines | None) -> dict[str, Any]:
        return {
            "description": run.description,
            "placeholders": placeholder_list(),
            "link_allowlist": run.allowlist,
            "brand": {"brand_name": brand.brand_name, "voice": brand.voice} if brand else None,
        }


def grammar_friendly(node: Any) -> Any:
    """The schema as llama.cpp can turn it into a grammar: no long list limits (it spells
    `maxItems: 100` as a hundred nested optionals and fails to parse its own grammar;
    lengths are dropped the same way by core.llm.structured) and no `\\d` in patterns.
    check_flow still enforces every limit."""
    if isinstance(node, dict):
        return {
            key: _pattern(value) if key == "pattern" else grammar_friendly(value)
            for key, value in node.items()
            if not (key == "maxItems" and isinstance(value, int) and value > MAX_GRAMMAR_ITEMS)
        }
    if isinstance(node, list):
        return [grammar_friendly(item) for item in node]
    return node


def _pattern(value: Any) -> Any:
    r"""llama.cpp's grammar has no `\d`: the same digits, spelled as a class."""
    return value.replace("\\d", "[0-9]") if isinstance(value, str) else value


def placeholder_list() -> list[str]:
    return [f"{{{{{name}}}}}" for name in PLACEHOLDERS]
