"""Who last decided each item, as this process saw it: for a refusal of a stale view to say
"it's now approved by Ann". Names are not stored anywhere (Telegram has them), so after a
restart, or for a decision made in another process, the refusal says what the item is now
without the name."""

from __future__ import annotations

from collections import OrderedDict

from core.review_queue.types import QueueAction
from domain.crew import ItemKind

WHAT = {
    ItemKind.SUGGESTION: "Suggestion",
    ItemKind.POST: "Post",
    ItemKind.REPLY: "Reply",
    ItemKind.SEQUENCE_EMAIL: "Sequence email",
}
# The status each decision leaves an item in, as the queue shows it (QueueItem.status).
LEAVES = {QueueAction.APPROVE: "approved", QueueAction.REJECT: "rejected"}
KEEP = 1000  # items remembered; the oldest is forgotten first


def name_of(user_id: int, user_name: str | None) -> str:
    """As the chat's cards name a decider (bot/review_cards.note_of)."""
    return user_name or f"admin {user_id}"


class Deciders:
    def __init__(self) -> None:
        self._last: OrderedDict[tuple[ItemKind, int], tuple[QueueAction, str]] = OrderedDict()

    def note(self, kind: ItemKind, item_id: int, action: QueueAction, name: str) -> None:
        key = (kind, item_id)
        self._last[key] = (action, name)
        self._last.move_to_end(key)
        while len(self._last) > KEEP:
            self._last.popitem(last=False)

    def of(self, kind: ItemKind, item_id: int, status: str) -> str | None:
        """Who put the item in `status`, if the last decision seen here did."""
        last = self._last.get((kind, item_id))
        if last is None or LEAVES.get(last[0]) != status:
            return None
        return last[1]
