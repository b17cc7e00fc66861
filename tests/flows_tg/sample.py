"""A valid SMS flow as the model would answer it, and views of it for the view tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from core.flows.views import FlowSummary, FlowVersionView, FlowView
from domain.flow_status import FlowStatus

AT = datetime(2026, 12, 7, 4, 30, tzinfo=UTC)
WELCOME = (
    "Hi {{first_name}}! We miss you at {{shop_name}}. Reply YES for 15% off your next order. "
    "Reply STOP to opt out."
)
OFFER = "Great! Your code {{discount_code}} takes 15% off: {{cart_url}}"
THANKS = "Thank you for order {{order_number}}! See you soon."


def flow_answer(welcome: str = WELCOME) -> dict[str, Any]:
    """Welcome → wait 2 days → ask (YES / no reply) → offer (buys / doesn't) → thanks → end."""
    return {
        "initialStepID": "welcome",
        "steps": [
            {"id": "welcome", "type": "message", "content": welcome,
             "events": [{"type": "next", "nextStepID": "wait-2d"}]},
            {"id": "wait-2d", "type": "delay", "duration": {"value": 2, "unit": "days"},
             "events": [{"type": "next", "nextStepID": "ask"}]},
            {"id": "ask", "type": "reply",
             "intents": [{"intent": "yes", "keywords": ["YES", "Y"]}],
             "events": [{"type": "reply", "intent": "yes", "nextStepID": "offer"},
                        {"type": "no_reply", "after": {"value": 1, "unit": "days"},
                         "nextStepID": "end"}]},
            {"id": "offer", "type": "purchase_offer", "content": OFFER,
             "discount": {"type": "percentage", "value": 15, "code": "{{discount_code}}"},
             "events": [{"type": "purchase", "nextStepID": "thanks"},
                        {"type": "no_purchase", "after": {"value": 2, "unit": "days"},
                         "nextStepID": "end"}]},
            {"id": "thanks", "type": "message", "content": THANKS,
             "events": [{"type": "next", "nextStepID": "end"}]},
            {"id": "end", "type": "end", "events": []},
        ],
    }  # fmt: skip


def stored(flow: dict[str, Any]) -> dict[str, Any]:
    """As stored: every message step with its segments and encoding."""
    steps = [
        {**step, "segments": 1, "encoding": "GSM-7"} if "content" in step else step
        for step in flow["steps"]
    ]
    return {**flow, "steps": steps}


def version_view(
    version: int = 1, *, description: str = "Win back VIPs", corrections: tuple[str, ...] = ()
) -> FlowVersionView:
    return FlowVersionView(
        flow_id=7, version=version, description=description, flow=stored(flow_answer()),
        model_used="openai/gpt-4o-mini", tokens_used=1500, generation_time_ms=3500,
        prompt_version=1, prompt_variant="base", cost_usd=Decimal("0.0021"), repairs=1,
        corrections=corrections, created_at=AT, created_by=1,
    )  # fmt: skip


def flow_view(
    version: int = 1, *, status: FlowStatus = FlowStatus.DRAFT,
    approved: int | None = None, description: str = "Win back VIPs",
    corrections: tuple[str, ...] = (),
) -> FlowView:  # fmt: skip
    return FlowView(
        id=7, description=description, status=status, current_version=version,
        approved_version=approved,
        current=version_view(version, description=description, corrections=corrections),
        version_numbers=tuple(range(1, version + 1)), source="telegram", created_by=1,
        created_at=AT, decided_by=None, decided_at=None,
    )  # fmt: skip


def summary(flow_id: int, *, versions: int, approved: int | None) -> FlowSummary:
    status = FlowStatus.APPROVED if approved == versions else FlowStatus.DRAFT
    return FlowSummary(
        id=flow_id, description=f"Flow number {flow_id} for <VIP> customers", status=status,
        current_version=versions, approved_version=approved, versions=versions, created_at=AT,
    )  # fmt: skip
