"""Sample flows for the tests: WINBACK uses every node type and is valid as it is."""

from __future__ import annotations

import copy
from typing import Any

DAY = {"value": 1, "unit": "days"}


def _next(target: str) -> list[dict[str, Any]]:
    return [{"type": "next", "nextStepID": target}]


WINBACK: dict[str, Any] = {
    "initialStepID": "once",
    "steps": [
        {
            "id": "once",
            "type": "limit",
            "max_occurrences": 1,
            "events": [
                {"type": "next", "nextStepID": "audience"},
                {"type": "limited", "nextStepID": "end"},
            ],
        },
        {
            "id": "audience",
            "type": "segment",
            "branches": [
                {
                    "label": "vip",
                    "conditions": [
                        {"property": "total_spent", "operator": "greater_than", "value": 500}
                    ],
                }
            ],
            "events": [
                {"type": "match", "label": "vip", "nextStepID": "vip-welcome"},
                {"type": "default", "nextStepID": "welcome"},
            ],
        },
        {
            "id": "vip-welcome",
            "type": "message",
            "content": "Hi {{first_name}}, we miss you! As a VIP take 20% off with "
            "{{discount_code}}. Reply STOP to opt out.",
            "discount": {"type": "percentage", "value": 20, "code": "{{discount_code}}"},
            "events": _next("ab"),
        },
        {
            "id": "welcome",
            "type": "message",
            "content": "Hi {{first_name}}, it's been a while! Here's 10% off: "
            "{{discount_code}}. Reply STOP to opt out.",
            "events": _next("ab"),
        },
        {
            "id": "ab",
            "type": "experiment",
            "variants": [{"label": "now", "share": 50}, {"label": "office-hours", "share": 50}],
            "events": [
                {"type": "variant", "label": "now", "nextStepID": "wait-1d"},
                {"type": "variant", "label": "office-hours", "nextStepID": "timing"},
            ],
        },
        {
            "id": "timing",
            "type": "schedule",
            "timezone": "Europe/Berlin",
            "windows": [
                {
                    "label": "office",
                    "days": ["mon", "tue", "wed", "thu", "fri"],
                    "start": "09:00",
                    "end": "18:00",
                }
            ],
            "events": [
                {"type": "match", "label": "office", "nextStepID": "wait-1d"},
                {"type": "default", "nextStepID": "wait-1d"},
            ],
        },
        {
            "id": "wait-1d",
            "type": "delay",
            "duration": DAY,
            "events": _next("cap"),
        },
        {
            "id": "cap",
            "type": "rate_limit",
            "max_messages": 3,
            "period": {"value": 1, "unit": "weeks"},
            "events": [
                {"type": "next", "nextStepID": "ask"},
                {"type": "limited", "nextStepID": "end"},
            ],
        },
        {
            "id": "ask",
            "type": "message",
            "content": "New arrivals are in at {{shop_name}}. Want a look? Reply YES or NO.",
            "events": _next("answer"),
        },
        {
            "id": "answer",
            "type": "reply",
            "intents": [
                {"intent": "yes", "keywords": ["YES", "Y"]},
                {"intent": "no", "keywords": ["NO", "N"]},
            ],
            "events": [
                {"type": "reply", "intent": "yes", "nextStepID": "picks"},
                {"type": "reply", "intent": "no", "nextStepID": "declined"},
                {"type": "no_reply", "after": {"value": 2, "unit": "days"}, "nextStepID": "nudge"},
            ],
        },
        {
            "id": "nudge",
            "type": "message",
            "content": "Still curious? Reply anything and we'll send our picks.",
            "contact_card": {"name": "Green Leaf Shop", "phone": "+15550100"},
            "events": _next("nudge-wait"),
        },
        {
            "id": "nudge-wait",
            "type": "no_reply",
            "after": DAY,
            "events": [
                {"type": "timeout", "nextStepID": "declined"},
                {"type": "replied", "nextStepID": "picks"},
            ],
        },
        {
            "id": "picks",
            "type": "product_choice",
            "content": "Reply 1 for {{product_name}} or 2 for the Gift Box.",
            "products": [
                {"keyword": "1", "name": "Bestseller"},
                {"keyword": "2", "name": "Gift Box", "product_id": "gift-box"},
            ],
            "events": [
                {"type": "choice", "keyword": "1", "nextStepID": "buy"},
                {"type": "choice", "keyword": "2", "nextStepID": "buy"},
                {"type": "no_reply", "after": DAY, "nextStepID": "end"},
            ],
        },
        {
            "id": "buy",
            "type": "purchase",
            "items_from": "product_choice",
            "events": [
                {"type": "next", "nextStepID": "thanks"},
                {"type": "failed", "nextStepID": "offer"},
            ],
        },
        {
            "id": "offer",
            "type": "purchase_offer",
            "content": "Your order didn't go through. Finish it here: {{cart_url}}",
            "discount": {"type": "free_shipping", "code": "SHIPFREE"},
            "events": [
                {"type": "purchase", "nextStepID": "thanks"},
                {"type": "no_purchase", "after": DAY, "nextStepID": "end"},
            ],
        },
        {
            "id": "declined",
            "type": "property",
            "properties": [{"name": "winback_declined", "value": True}],
            "events": _next("loyal"),
        },
        {
            "id": "loyal",
            "type": "split",
            "branches": [
                {
                    "label": "regular",
                    "conditions": [
                        {"property": "orders_count", "operator": "greater_than", "value": 3}
                    ],
                }
            ],
            "events": [
                {"type": "match", "label": "regular", "nextStepID": "end"},
                {"type": "default", "nextStepID": "end"},
            ],
        },
        {
            "id": "thanks",
            "type": "message",
            "content": "Thank you! Order {{order_number}} is on its way.",
            "events": _next("end"),
        },
        {"id": "end", "type": "end", "events": []},
    ],
}


def winback() -> dict[str, Any]:
    """A fresh deep copy: tests break it as they like."""
    return copy.deepcopy(WINBACK)


def step(flow: dict[str, Any], step_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in flow["steps"] if s["id"] == step_id)
    return found
