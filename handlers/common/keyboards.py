"""Inline keyboards and the callback_data they carry.

callback_data is a short opaque key, `<kind>:<action>:<id>:<revision>`, never user
text: at most 64 bytes, parsed strictly, and acted on only if the card is still at
that revision (so a stale button can't approve content the user never saw).
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

MAX_CALLBACK_BYTES = 64
SUGGESTION = "s"
RETRY = "retry"  # 🔁 Retry on a failed card: `retry:<what>`
QUEUE, PAGE = "q", "page"  # ◀ / ▶ under the /approve queue
ACTIONS = {"ap": "approve", "ed": "edit", "rg": "regenerate", "rj": "reject"}


@dataclass(frozen=True)
class CallbackKey:
    kind: str
    action: str
    item_id: int = 0
    revision: int = 0

    def encode(self) -> str:
        data = f"{self.kind}:{self.action}:{self.item_id}:{self.revision}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback_data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def decode(cls, data: str) -> CallbackKey | None:
        parts = data.split(":")
        if len(parts) != 4 or not all(parts[:2]):
            return None
        try:
            return cls(parts[0], parts[1], int(parts[2]), int(parts[3]))
        except ValueError:
            return None


def _button(text: str, key: CallbackKey) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=key.encode())


def suggestion_keyboard(suggestion_id: int, revision: int) -> InlineKeyboardMarkup:
    def key(action: str) -> CallbackKey:
        return CallbackKey(SUGGESTION, action, suggestion_id, revision)

    return InlineKeyboardMarkup(
        [
            [_button("✅ Approve", key("ap")), _button("✏️ Edit", key("ed"))],
            [_button("🔄 Regenerate", key("rg")), _button("🗑 Reject", key("rj"))],
        ]
    )


def retry_keyboard(what: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button("🔁 Retry", CallbackKey(RETRY, what))]])


def page_keyboard(offset: int, has_prev: bool, has_next: bool, size: int) -> InlineKeyboardMarkup:
    row = []
    if has_prev:
        row.append(_button("◀ Previous", CallbackKey(QUEUE, PAGE, max(0, offset - size))))
    if has_next:
        row.append(_button("Next ▶", CallbackKey(QUEUE, PAGE, offset + size)))
    return InlineKeyboardMarkup([row])


def pattern(kind: str, action: str | None = None) -> str:
    """The CallbackQueryHandler pattern for a kind (or one action of it), from its constant."""
    return f"^{kind}:" if action is None else f"^{kind}:{action}:"
