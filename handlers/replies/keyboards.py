"""The buttons on a reply card: `rp:<action>:<reply id>:<revision>`."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.emaildesk.reply_views import ReplyView
from domain.email_replies import ReplyStatus, Tone
from handlers.common.keyboards import CallbackKey

KIND = "rp"
APPROVE, EDIT, REGENERATE, TONES, REJECT = "ap", "ed", "rg", "tn", "rj"
RETRY, WAS_SENT, SEND_AGAIN, BACK = "rt", "ys", "sa", "bk"
# 🎭 Change tone shows these in place of the card's buttons.
TONE_ACTIONS = {"tp": Tone.PROFESSIONAL, "tf": Tone.FRIENDLY, "ta": Tone.APOLOGETIC}
TONE_LABELS = {Tone.PROFESSIONAL: "👔 Professional", Tone.FRIENDLY: "😊 Friendly",
               Tone.APOLOGETIC: "🙏 Apologetic"}  # fmt: skip


def _button(text: str, action: str, view: ReplyView) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text, callback_data=CallbackKey(KIND, action, view.id, view.revision).encode()
    )


def card_keyboard(view: ReplyView) -> InlineKeyboardMarkup | None:
    """What a person can do with the reply as it is now; None when nothing is theirs to do."""
    if view.status is ReplyStatus.PENDING:
        return InlineKeyboardMarkup(
            [
                [_button("✅ Approve & send", APPROVE, view), _button("✏️ Edit", EDIT, view)],
                [_button("🔄 Regenerate", REGENERATE, view),
                 _button("🎭 Change tone", TONES, view)],
                [_button("🗑 Reject", REJECT, view)],
            ]
        )  # fmt: skip
    if view.status is ReplyStatus.APPROVED and view.error:  # waiting for another try
        return InlineKeyboardMarkup([[_button("🛑 Don't send", REJECT, view)]])
    if view.status is ReplyStatus.FAILED:
        return InlineKeyboardMarkup(
            [[_button("🔁 Retry", RETRY, view), _button("🗑 Reject", REJECT, view)]]
        )
    if view.status is ReplyStatus.UNKNOWN:
        return InlineKeyboardMarkup(
            [
                [
                    _button("✅ It was sent", WAS_SENT, view),
                    _button("📤 Send again", SEND_AGAIN, view),
                ]
            ]
        )
    return None


def tone_keyboard(view: ReplyView) -> InlineKeyboardMarkup:
    tones = [_button(TONE_LABELS[tone], action, view) for action, tone in TONE_ACTIONS.items()]
    return InlineKeyboardMarkup([tones, [_button("◀ Back", BACK, view)]])
