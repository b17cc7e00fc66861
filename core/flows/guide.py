"""The node types in a few lines each, for the generation and repair prompts.

The JSON Schema says what is allowed; this says what each step needs to be valid (which
events, how many), in the words the validation uses, so a model gets it right the first
time more often. Kept next to the models so the two change together (a test checks every
node type is described).
"""

from __future__ import annotations

NODE_GUIDE: dict[str, str] = {
    "message": 'sends an SMS: "content" (optional "discount" {type percentage|fixed_amount|'
    'free_shipping, value, code}, "image_url", "contact_card" {name, phone}); events: one '
    '{"type": "next"}',
    "segment": 'branches on who the customer is: "branches" [{label, conditions [{property, '
    "operator equals|not_equals|greater_than|less_than|contains|exists|not_exists, value}]}]; "
    'events: one {"type": "match", "label"} per branch and one {"type": "default"}',
    "delay": 'waits: "duration" {value, unit minutes|hours|days|weeks}; events: one '
    '{"type": "next"}',
    "schedule": 'branches on the time of the week: "windows" [{label, days [mon..sun], start '
    '"HH:MM", end "HH:MM"}], "timezone"; events: one {"type": "match", "label"} per window '
    'and one {"type": "default"}',
    "experiment": 'A/B test: "variants" [{label, share}] with shares adding up to 100; '
    'events: one {"type": "variant", "label"} per variant',
    "rate_limit": 'at most "max_messages" per "period" (a duration); events: one {"type": '
    '"next"} and one {"type": "limited"}',
    "reply": 'waits for the answer to the previous message: "intents" [{intent, keywords}]; '
    'events: one {"type": "reply", "intent"} per intent and one {"type": "no_reply", '
    '"after": duration}',
    "no_reply": 'waits "after" (a duration) for any answer; events: one {"type": "timeout"} '
    'and one {"type": "replied"}',
    "split": 'branches on any property, same fields and events as "segment"',
    "property": 'sets customer properties: "properties" [{name, value}]; events: one '
    '{"type": "next"}',
    "product_choice": 'sends "content" listing products to answer with a keyword: '
    '"products" [{keyword, name}]; events: one {"type": "choice", "keyword"} per product '
    'and one {"type": "no_reply", "after": duration}',
    "purchase_offer": 'cart recovery: "content" (usually with {{cart_url}}), optional '
    '"discount"; events: one {"type": "purchase"} and one {"type": "no_purchase", "after": '
    "duration}",
    "purchase": 'places the order: "items_from" cart|product_choice; events: one {"type": '
    '"next"}, optionally one {"type": "failed"}',
    "limit": 'a customer passes at most "max_occurrences" times (per "period", or ever); '
    'events: one {"type": "next"} and one {"type": "limited"}',
    "end": "ends the flow; events: []",
}


def node_guide() -> str:
    """One line per node type: `- message: sends an SMS: ...`."""
    return "\n".join(f"- {kind}: {text}" for kind, text in NODE_GUIDE.items())
