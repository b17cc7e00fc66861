"""The review crew's block on reply and sequence email cards: under the text it judged,
valid Telegram HTML, and the card within 4096 characters however long the draft and the
crew's feedback are; ✨'s button data within 64 bytes at the largest ids."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from core.crew.types import CrewReview
from core.posts.crew_gate import CrewState
from domain.crew import ReviewStatus
from handlers.common.crew_block import card_block, confirm_keyboard, crew_rows
from handlers.common.keyboards import MAX_CALLBACK_BYTES
from handlers.replies.keyboards import KIND as REPLY_KIND
from handlers.replies.views import SHORTENED, reply_card
from handlers.sequence.keyboards import EMAIL_KIND
from handlers.sequence.views import email_card
from tests.crew_cards.fakes import report
from tests.doubles.telegram_spec import render_text
from tests.handlers.sequence.test_views import TZ, _email
from tests.handlers.test_reply_card import VIEW

AT = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
BIGGEST = 2**63 - 1


def _state(*, feedback: int = 3) -> CrewState:
    verdict = report(40, rewrite="Warmer words.", compliance_failed=True)
    lines = [f"Brand manager: <warmer> & kinder, point {n}. " + "x" * 400 for n in range(feedback)]
    verdict = verdict.model_copy(update={"agent_feedback": lines})
    review = CrewReview(
        id=1, kind="reply", item_id=7, content_hash="h", status=ReviewStatus.DONE,
        steps=list(verdict.steps), report=verdict, created_at=AT, updated_at=AT,
    )  # fmt: skip
    return CrewState(review, threshold=70)


def test_a_reply_card_carries_the_block_under_a_shortened_draft_within_telegrams_limit() -> None:
    block = card_block(_state(feedback=30))
    html = reply_card(replace(VIEW, draft="&<>" * 7000), TZ, note="A note", crew=block)
    assert len(html) <= 4096
    plain = render_text(html, "HTML").text  # valid Telegram HTML, or this raises
    assert SHORTENED.strip() in plain and "A note" in plain
    assert plain.index(SHORTENED.strip()) < plain.index("🧪 Review crew")
    assert "Compliance failed" in plain and "<warmer> & kinder" in plain
    assert "… and " in plain  # thirty feedback lines are bounded


def test_a_sequence_email_card_carries_the_block_within_telegrams_limit() -> None:
    html = email_card(_email(body_text="é&" * 10_000), TZ, "A note", crew=card_block(_state()))
    assert len(html) <= 4096
    plain = render_text(html, "HTML").text
    assert "🧪 Review crew" in plain and plain.index("🧪") < plain.index("A note")


def test_the_crews_buttons_fit_in_64_bytes_at_the_largest_ids() -> None:
    for kind in (REPLY_KIND, EMAIL_KIND):
        (row,) = crew_rows(kind, BIGGEST, BIGGEST, _state())
        markup = confirm_keyboard(kind, BIGGEST, BIGGEST)
        buttons = [*row, *(b for r in markup.inline_keyboard for b in r)]
        assert all(len(str(b.callback_data).encode()) <= MAX_CALLBACK_BYTES for b in buttons)
