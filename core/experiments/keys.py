"""Variant keys: what pins a generating call to its A/B arm.

The registry hashes (template name, key) into a bucket of 100, so a key always gets the
same variant of a template, across calls, restarts and replicas. The key is the item:
an item regenerated ten times is written by one variant, and its outcome belongs to it.
A call that creates a new item has no id yet and uses a fresh request key instead.
"""

from __future__ import annotations

import uuid

from domain.crew import ItemKind


def item_key(kind: ItemKind | str, item_id: int) -> str:
    return f"{ItemKind(kind).value}:{item_id}"


def request_key() -> str:
    """For a call that creates an item: unique per request, so traffic splits by share."""
    return f"request:{uuid.uuid4().hex}"
