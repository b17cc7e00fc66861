"""What the review queue hands out: plain frozen data (the Mini App serialises it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.crew import ItemKind


class QueueAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    EDIT = "edit"
    REGENERATE = "regenerate"


# The kinds /approve shows, in its order (suggestions, posts, then the sections).
KINDS: tuple[ItemKind, ...] = (
    ItemKind.SUGGESTION,
    ItemKind.POST,
    ItemKind.REPLY,
    ItemKind.SEQUENCE_EMAIL,
)


@dataclass(frozen=True)
class QueueImage:
    """A candidate image of the post's image run (or its picked image)."""

    id: int
    post_id: int
    picked: bool


@dataclass(frozen=True)
class QueueRepeat:
    """The near-repeat warning a chat card shows (core.memory.repeats), with the earlier
    item's words, which the chat shows behind "👀 See earlier"."""

    line: str  # "⚠️ 84 % similar to the post of 3 Oct"
    similarity: int  # percent
    label: str  # "the post of 3 Oct"
    outcome: str  # what happened to the earlier item: approved, published...
    text: str  # the earlier item's words


@dataclass(frozen=True)
class QueueItem:
    kind: ItemKind
    id: int
    title: str
    text: str
    persona: str | None
    status: str
    revision: int
    scheduled_at: datetime | None
    # {"brand", "compliance", "readability", "overall"} once the crew reviewed these words.
    scores: dict[str, int] | None
    # A compliance failure nobody confirmed: approve only with confirmed=True.
    needs_confirmation: bool
    images: tuple[QueueImage, ...]
    # Too close to an earlier item (memory on, the same check as the chat's card).
    repeat: QueueRepeat | None = None


@dataclass(frozen=True)
class Decision:
    """The item after a decision; `message` is safe to show the person as it is."""

    kind: ItemKind
    id: int
    status: str
    message: str


@dataclass(frozen=True)
class Decided:
    """What a chat card is told of a decision made elsewhere (the Mini App)."""

    decision: Decision
    action: QueueAction
    user_id: int
    user_name: str | None
    at: datetime
    # The chat card it was made on (chat_id, message_id), which its handler redraws;
    # None: made in the Mini App.
    in_chat: tuple[int, int] | None = None
