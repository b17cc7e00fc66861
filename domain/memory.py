"""Semantic memory's vocabulary: the kinds of item remembered and what happened to them.

An item is remembered once per (kind, item id); its outcome is the latest event. The
vectors, the search and the model are core.memory; this module is plain constants so
every layer can name a kind or an event.
"""

from __future__ import annotations

from enum import StrEnum


class MemoryKind(StrEnum):
    POST = "post"
    SUGGESTION = "suggestion"
    REPLY = "reply"
    SEQUENCE_EMAIL = "sequence_email"
    SMS = "sms"
    CONTENT = "content"


class MemoryEvent(StrEnum):
    APPROVED = "approved"
    EDITED = "edited"  # approved after a human edit
    REJECTED = "rejected"
    PUBLISHED = "published"


# Outcomes that count as "accepted" for best_accepted(): approved as it was, or published.
ACCEPTED_AS_IS: frozenset[MemoryEvent] = frozenset({MemoryEvent.APPROVED, MemoryEvent.PUBLISHED})

# Dimensions of the bundled model (all-MiniLM-L6-v2); the pgvector HNSW index covers these.
BUNDLED_DIMS = 384
