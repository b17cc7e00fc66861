"""A sent reply that bounced says so on its card, escaped, with what to do."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from domain.email_replies import ReplyStatus
from handlers.replies.views import reply_card
from tests.handlers.test_reply_card import TZ, VIEW, _plain


def test_a_bounced_reply_says_the_customer_did_not_get_it() -> None:
    sent = replace(VIEW, status=ReplyStatus.SENT, sent_at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
                   error="Bounced (5.1.1): 550 5.1.1 <ana@example.com>: User unknown")  # fmt: skip
    html = reply_card(sent, TZ)
    assert "&lt;ana@example.com&gt;: User unknown" in html
    text = _plain(html)
    assert "✅ Sent to ana@example.com at 01 Jul, 10:00." in text
    assert "↩️ But it bounced back: Bounced (5.1.1): 550 5.1.1 <ana@example.com>" in text
    assert "The customer did not get it" in text and len(html) <= 4096
