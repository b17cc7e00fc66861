"""The review queue as the Mini App sees it: /approve's items, and decisions on them.

`ReviewQueue.items()` lists exactly what /approve shows (suggestions, posts, reply drafts,
sequence emails, in that order); `decide()` approves, rejects, edits or regenerates one
through the item's own service (the same conditional updates as the chat's buttons), then
redraws the item's cards in the chats (core.review_queue.ports.ChatCards, implemented in
bot/review_cards.py) to say who decided it, and where.

Errors `decide()` raises, and what the HTTP edge answers:
- core.errors.NotFound: no such item -> 404.
- core.errors.AlreadyDecided: decided meanwhile (a double tap, another admin, the chat)
  or changed since the person saw it (a stale `revision`) -> 409.
- core.posts.crew_gate.ComplianceUnconfirmed: the crew flagged a compliance failure;
  approve again with confirmed=True once a person checked it -> 409 (needs confirmation).
- core.errors.InvalidTransition: the item's state forbids the action (a published post's
  caption, approving a rejected post) -> 409.
- core.errors.ValidationFailed: bad input (an edit without text, text too long, a kind
  the queue does not review, AI writing off for regenerate) -> 400.
- core.errors.FeatureOff: a feature is off (email sending, for approving a reply) -> 409.
- core.errors.LLMError (and its subclasses): regenerate got no usable text -> 502.
Every message is safe to show the person as it is (str(error)).
"""

from core.review_queue.queue import ReviewQueue
from core.review_queue.types import (
    Decided,
    Decision,
    QueueAction,
    QueueImage,
    QueueItem,
    QueueRepeat,
)

__all__ = ["Decided", "Decision", "QueueAction", "QueueImage", "QueueItem",
           "QueueRepeat", "ReviewQueue"]  # fmt: skip
