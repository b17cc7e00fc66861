"""Prometheus metrics, one registry per application so tests never share counters."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.updates_handled = Counter(
            "copilot_updates_handled", "Telegram updates handled", ["kind"], registry=r
        )
        self.handler_latency = Histogram(
            "copilot_handler_latency_seconds", "Time to handle one update", registry=r
        )
        self.errors = Counter(
            "copilot_errors", "Errors by where they happened", ["where"], registry=r
        )
        # Labels from fixed sets (handlers/common/refusals.py), never from what a client sent.
        self.refused_actions = Counter(
            "copilot_refused_actions", "Button presses refused, by button kind and reason",
            ["action", "reason"], registry=r,
        )  # fmt: skip
        self.llm_calls = Counter(
            "copilot_llm_calls", "LLM calls by outcome", ["model", "outcome"], registry=r
        )
        self.llm_tokens = Counter(
            "copilot_llm_tokens", "LLM tokens", ["model", "direction"], registry=r
        )
        self.llm_cost = Counter("copilot_llm_cost_usd", "LLM spend in USD", ["model"], registry=r)
        self.budget_left = Gauge(
            "copilot_llm_budget_left_usd", "Today's LLM budget still available", registry=r
        )
