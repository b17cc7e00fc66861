"""The reply card's text: escaped, valid Telegram HTML, within 4096 characters."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.emaildesk.reply_views import ReplyView
from domain.email_replies import ReplyStatus, ResponseType, Tone
from handlers.replies.keyboards import card_keyboard
from handlers.replies.views import SHORTENED, reply_card
from tests.doubles.telegram_spec import render_text

TZ = ZoneInfo("Europe/Berlin")
VIEW = ReplyView(
    id=7, email_id=3, status=ReplyStatus.PENDING, revision=2, from_name="Ana <Lima>",
    from_address="ana@example.com", subject="Where & when?", reply_to="evil@example.net",
    attachments=2, order_number="A-1001", order_status=None, draft="Dear Ana <b>hi</b> & bye",
    summary="Asks <where> the order is", response_type=ResponseType.INQUIRY,
    tone=Tone.FRIENDLY, requested_tone=None, confidence=0.3, needs_review=True,
    suggested_actions=("check_order",), facts=("Order A-1001 & co",),
    warnings=("It names a date.",), edited=False, error=None, attempts=0,
    next_attempt_at=None, sent_at=None, message_id=None,
)  # fmt: skip


def _plain(html: str) -> str:
    return render_text(html, "HTML").text


def test_everything_from_the_email_and_the_model_is_escaped() -> None:
    html = reply_card(VIEW, TZ)
    plain = _plain(html)  # valid Telegram HTML, or this raises
    assert "From: Ana <Lima> <ana@example.com>" in plain
    assert "Subject: Where & when?" in plain and "Dear Ana <b>hi</b> & bye" in plain
    assert "Reply-To: evil@example.net (not used: replies go to the sender)" in plain
    assert "Order: A-1001 (not in your orders)" in plain and "📎 2 attachment(s)" in plain
    assert "Low confidence (30%): read it carefully before sending." in plain
    assert "⚠️ It names a date." in plain


@pytest.mark.parametrize("draft", ["x" * 5000, "&<>" * 2000, "é" * 4000])
def test_a_long_draft_is_shortened_on_the_card_only(draft: str) -> None:
    html = reply_card(replace(VIEW, draft=draft), TZ, note="A note")
    assert len(html) <= 4096
    plain = _plain(html)
    assert SHORTENED.strip() in plain and "A note" in plain


def test_the_buttons_follow_the_status() -> None:
    def texts(view: ReplyView) -> set[str]:
        markup = card_keyboard(view)
        return {b.text for row in markup.inline_keyboard for b in row} if markup else set()

    assert texts(VIEW) == {"✅ Approve & send", "✏️ Edit", "🔄 Regenerate", "🎭 Change tone",
                           "🗑 Reject"}  # fmt: skip
    assert texts(replace(VIEW, status=ReplyStatus.FAILED)) == {"🔁 Retry", "🗑 Reject"}
    assert texts(replace(VIEW, status=ReplyStatus.UNKNOWN)) == {"✅ It was sent", "📤 Send again"}
    retrying = replace(VIEW, status=ReplyStatus.APPROVED, error="451 Try later")
    assert texts(retrying) == {"🛑 Don't send"}
    for status in (ReplyStatus.DRAFTING, ReplyStatus.APPROVED, ReplyStatus.SENT):
        assert texts(replace(VIEW, status=status)) == set()


def test_a_sent_reply_says_when_in_the_shops_zone() -> None:
    sent = replace(VIEW, status=ReplyStatus.SENT, sent_at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC))
    assert "✅ Sent to ana@example.com at 01 Jul, 10:00." in _plain(reply_card(sent, TZ))
