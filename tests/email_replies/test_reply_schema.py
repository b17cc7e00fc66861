"""What the reply model must answer: a long fact is cut to a line, everything else is strict."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.emaildesk.reply_schema import MAX_LINE, ReplyAnswer

ANSWER = {
    "response_type": "inquiry",
    "summary": "Where is my order?",
    "draft": "Hi Ana, your candles left on Monday.",
    "tone": "friendly",
    "confidence": 0.8,
    "needs_review": False,
}


def test_a_long_fact_is_cut_to_one_line_not_refused() -> None:
    answer = ReplyAnswer.model_validate({**ANSWER, "facts": ["Order 1001 " + "shipped " * 80]})
    [fact] = answer.facts
    assert len(fact) == MAX_LINE and fact.endswith("…") and fact.startswith("Order 1001 shipped")


def test_the_rest_stays_strict() -> None:
    with pytest.raises(ValidationError):
        ReplyAnswer.model_validate({**ANSWER, "facts": ["   "]})  # an empty fact
    with pytest.raises(ValidationError):
        ReplyAnswer.model_validate({**ANSWER, "summary": "x" * (MAX_LINE + 1)})
    with pytest.raises(ValidationError):
        ReplyAnswer.model_validate({**ANSWER, "confidence": 1.5})
