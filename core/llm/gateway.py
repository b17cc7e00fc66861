"""LLMGateway: the only way the application talks to a language model.

One `generate()` walks the model chain (LLM_MODEL, then LLM_FALLBACK_MODELS). For each
model it asks up to three times for a schema-valid answer; each ask is a provider call
retried on transient errors. Every provider call is priced, budgeted and logged.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core import errors
from core.clock import Clock, SystemClock
from core.config import LLMSettings
from core.llm import provider, structured
from core.llm.budget import BudgetLedger, Reservation, from_micro
from core.llm.cache import ResponseCache, cache_key
from core.llm.pricing import (
    Price,
    count_input_tokens,
    estimate_cost_microusd,
    resolve_price,
)
from core.llm.types import BudgetStatus, LLMRequest, LLMResult, T
from core.metrics import Metrics
from storage.repos import llm as repo

log = logging.getLogger(__name__)

_SYSTEM_CLOCK = SystemClock()
_MAX_BACKOFF_S = 8.0


@dataclass
class _Call(Generic[T]):
    """One generate() in progress: its request and what its attempts have used so far."""

    request: LLMRequest
    schema: type[T]
    messages: list[dict[str, str]]
    attempts: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_microusd: int = 0
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def start(cls, request: LLMRequest, schema: type[T]) -> _Call[T]:
        options = {
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
            "response_format": structured.response_format(schema),
        }
        if request.fresh:
            # Overrides LLM_SEED: a fixed seed would sample the rejected answer again.
            # provider.complete drops it for providers that take no seed.
            options["seed"] = random.randrange(2**31)  # noqa: S311 (variety, not crypto)
        messages = structured.with_instruction(request.messages, schema)
        return cls(request=request, schema=schema, messages=messages, options=options)

    def cache_key(self, model: str) -> str:
        schema_text = structured.schema_text(self.schema)
        request = self.request
        return cache_key(model, self.messages, schema_text, request.temperature, request.max_tokens)

    def record(
        self, model: str, conversation: list[dict[str, str]], **fields: Any
    ) -> repo.CallRecord:
        prompt = self.request.prompt
        return repo.CallRecord(
            model=model,
            messages=list(conversation),
            attempt=self.attempts,
            template_name=prompt.name if prompt else None,
            template_version=prompt.version if prompt else None,
            variant=prompt.variant if prompt else None,
            retrieval=self.request.retrieval,
            **fields,
        )


@dataclass(frozen=True)
class _Answer(Generic[T]):
    text: str
    value: T | None
    problem: str | None
    call_id: int


@dataclass(frozen=True)
class _Target:
    model: str
    price: Price


@dataclass
class _Flight:
    """A provider call under way: what it sent, what it reserved, when it started."""

    target: _Target
    conversation: list[dict[str, str]]
    reservation: Reservation
    started: float = field(default_factory=time.monotonic)

    def record(self, call: _Call[Any], **fields: Any) -> repo.CallRecord:
        latency_ms = int((time.monotonic() - self.started) * 1000)
        return call.record(self.target.model, self.conversation, latency_ms=latency_ms, **fields)


class LLMGateway:
    def __init__(
        self,
        settings: LLMSettings,
        session_factory: async_sessionmaker[AsyncSession],
        metrics: Metrics,
        clock: Clock = _SYSTEM_CLOCK,
        *,
        retry_base_delay_s: float = 0.5,
    ) -> None:
        self._settings = settings
        self._sessions = session_factory
        self._metrics = metrics
        self._retry_base_delay_s = retry_base_delay_s
        self._ledger = BudgetLedger(session_factory, clock, settings.daily_budget_usd)
        self._cache = ResponseCache(session_factory, clock, settings.cache_ttl_s)

    async def warm_up(self) -> None:
        """Import litellm in a worker thread, so no user waits seconds on the event loop."""
        await provider.warm_up()

    async def budget_status(self) -> BudgetStatus:
        status = await self._ledger.status()
        self._metrics.budget_left.set(float(status.remaining_usd))
        return status

    async def generate(self, request: LLMRequest, schema: type[T]) -> LLMResult[T]:
        """A schema-valid answer, or a domain error whose message is safe to show.

        A `fresh` request always asks the model; its answer still refreshes the cache.
        """
        models = self._model_chain(request.model)
        await self.warm_up()
        call = _Call.start(request, schema)
        key = call.cache_key(models[0])
        cached = None if request.fresh else await self._from_cache(call, key)
        if cached is not None:
            return cached
        result = await self._first_success(call, models)
        await self._cache.put(key, result.model, result.value.model_dump_json())
        return result

    def _model_chain(self, chosen: str | None = None) -> list[str]:
        if self._settings.model is None:
            raise errors.FeatureOff("AI writing is off: set LLM_MODEL to turn it on.")
        return [chosen or self._settings.model, *self._settings.fallback_models]

    async def model_problem(self, model: str) -> str | None:
        """None when litellm knows how to call `model` and it has a price (litellm's, or
        LLM_PRICE_*); else the reason, for a person choosing a model (a sequence's)."""
        litellm = await provider.warm_up()
        try:
            litellm.get_llm_provider(model)
        except Exception:  # litellm raises a bare BadRequestError-like Exception here
            return f"{model!r} is not a model litellm can call; write it like openai/gpt-4o-mini"
        try:
            resolve_price(self._settings, model, litellm)
        except errors.PriceUnknown:
            return (
                f"no price is known for {model!r}; choose a model litellm prices or set "
                "LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK"
            )
        return None

    # -- cache ---------------------------------------------------------------------------

    async def _from_cache(self, call: _Call[T], key: str) -> LLMResult[T] | None:
        hit = await self._cache.get(key)
        if hit is None:
            return None
        value, _ = structured.try_parse(call.schema, hit.output)
        if value is None:  # stored by an older schema or code: ask the model instead
            return None
        call.attempts += 1
        record = call.record(hit.model, call.messages, outcome="cached", output=hit.output)
        call_id = await self._log(record)
        return LLMResult(value, call_id, hit.model, 0, 0, Decimal(0), cached=True)

    # -- model chain, re-asks, retries -------------------------------------------------

    async def _first_success(self, call: _Call[T], models: list[str]) -> LLMResult[T]:
        failure: errors.LLMError | None = None
        for model in models:
            # Priced lazily: a fallback without a price only matters once it is needed.
            target = _Target(model, resolve_price(self._settings, model, provider.load_litellm()))
            try:
                return await self._ask_model(call, target)
            except (errors.BudgetExceeded, errors.PriceUnknown):
                raise
            except errors.LLMError as exc:
                log.warning("LLM model %s failed: %s", model, exc)
                failure = exc
        assert failure is not None  # the chain is never empty
        raise failure

    async def _ask_model(self, call: _Call[T], target: _Target) -> LLMResult[T]:
        conversation = list(call.messages)
        problem = ""
        for _ in range(structured.MAX_TRIES):
            answer = await self._with_retries(call, target, conversation)
            if answer.value is not None:
                return self._result(call, target.model, answer.value, answer.call_id)
            problem = answer.problem or "unreadable answer"
            conversation += structured.reask(answer.text, problem)
        raise errors.LLMError(
            "The model's answer did not match the expected format after "
            f"{structured.MAX_TRIES} tries: {problem.split('; ')[0][:200]}"
        )

    async def _with_retries(
        self, call: _Call[T], target: _Target, conversation: list[dict[str, str]]
    ) -> _Answer[T]:
        retry = 0
        while True:
            try:
                return await self._attempt(call, target, conversation)
            except provider.ProviderFailure as failure:
                if not failure.transient or retry >= self._settings.max_retries:
                    raise failure.to_domain() from None
            await asyncio.sleep(self._backoff(retry))
            retry += 1

    def _backoff(self, retry: int) -> float:
        # Exponential with jitter, so callers that failed together do not retry together.
        ceiling = min(_MAX_BACKOFF_S, self._retry_base_delay_s * 2.0**retry)
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 (jitter, not crypto)

    # -- one provider call -------------------------------------------------------------

    async def _attempt(
        self, call: _Call[T], target: _Target, conversation: list[dict[str, str]]
    ) -> _Answer[T]:
        call.attempts += 1
        reservation = await self._reserve(call, target, conversation)
        flight = _Flight(target, conversation, reservation)
        try:
            reply = await provider.complete(
                self._settings, target.model, conversation, call.options
            )
        except provider.ProviderFailure as failure:
            # Providers report no usage on failure, so nothing is booked beyond the release.
            record = flight.record(call, outcome=failure.outcome, error=failure.detail)
            await self._settle(record, flight.reservation)
            raise
        except asyncio.CancelledError:
            # The caller gave up; still release the reservation and log the attempt.
            record = flight.record(call, outcome="error", error="cancelled")
            await asyncio.shield(self._settle(record, flight.reservation))
            raise
        return await self._book_reply(call, flight, reply)

    async def _reserve(
        self, call: _Call[T], target: _Target, conversation: list[dict[str, str]]
    ) -> Reservation:
        estimate = estimate_cost_microusd(target.price, conversation, call.request.max_tokens)
        try:
            return await self._ledger.reserve(estimate)
        except errors.BudgetExceeded as exc:
            record = call.record(target.model, conversation, outcome="budget", error=str(exc))
            await self._log(record)
            self._metrics.budget_left.set(0)
            raise

    async def _book_reply(
        self, call: _Call[T], flight: _Flight, reply: provider.ProviderReply
    ) -> _Answer[T]:
        input_tokens, output_tokens = _usage(reply, flight.target.model, flight.conversation)
        cost = flight.target.price.cost_microusd(input_tokens, output_tokens)
        value, problem = structured.try_parse(call.schema, reply.text)
        record = flight.record(
            call,
            outcome="ok" if value is not None else "invalid",
            output=reply.text,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_microusd=cost,
            error=problem,
        )
        call_id = await self._settle(record, flight.reservation)
        call.input_tokens += input_tokens
        call.output_tokens += output_tokens
        call.cost_microusd += cost
        return _Answer(reply.text, value, problem, call_id)

    # -- bookkeeping -------------------------------------------------------------------

    async def _settle(self, record: repo.CallRecord, reservation: Reservation) -> int:
        """Book the cost and log the call in one transaction: never one without the other."""
        async with self._sessions() as session, session.begin():
            status = await self._ledger.settle(session, reservation, record.cost_microusd)
            call_id = await repo.add_call(session, record)
        self._metrics.budget_left.set(float(status.remaining_usd))
        self._count(record)
        return call_id

    async def _log(self, record: repo.CallRecord) -> int:
        async with self._sessions() as session, session.begin():
            call_id = await repo.add_call(session, record)
        self._count(record)
        return call_id

    def _count(self, record: repo.CallRecord) -> None:
        m = self._metrics
        m.llm_calls.labels(model=record.model, outcome=record.outcome).inc()
        m.llm_tokens.labels(model=record.model, direction="input").inc(record.input_tokens)
        m.llm_tokens.labels(model=record.model, direction="output").inc(record.output_tokens)
        m.llm_cost.labels(model=record.model).inc(float(from_micro(record.cost_microusd)))

    def _result(self, call: _Call[T], model: str, value: T, call_id: int) -> LLMResult[T]:
        """Totals cover every attempt this answer took (re-asks and retries included)."""
        return LLMResult(
            value=value,
            call_id=call_id,
            model=model,
            input_tokens=call.input_tokens,
            output_tokens=call.output_tokens,
            cost_usd=from_micro(call.cost_microusd),
            cached=False,
        )


def _usage(
    reply: provider.ProviderReply, model: str, conversation: list[dict[str, str]]
) -> tuple[int, int]:
    """Billed tokens; counted here when a server reports none, so a call never books as free."""
    input_tokens = reply.input_tokens
    if input_tokens is None:
        input_tokens = count_input_tokens(model, conversation, provider.load_litellm())
    output_tokens = reply.output_tokens
    if output_tokens is None:
        output_tokens = len(reply.text) // 4 + 1
    return input_tokens, output_tokens
