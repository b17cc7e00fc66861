"""/usage's message layout: money and token counts people can read, columns that line up."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest

from core.llm.types import BudgetStatus
from core.usage.types import Acceptance, Line, UsageSummary, WindowUsage
from core.usage.windows import MONTH, TODAY, WEEK, WINDOWS
from handlers.usage.views import MAX_LINES, count, summary, usd


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0", "$0"),
        ("0.004", "<$0.01"),
        ("0.01", "$0.01"),
        ("12.346", "$12.35"),
        ("1234.5", "$1,234.50"),
    ],
)
def test_money_in_cents(amount: str, shown: str) -> None:
    assert usd(Decimal(amount)) == shown


@pytest.mark.parametrize(
    ("tokens", "shown"),
    [(0, "0"), (950, "950"), (12_345, "12.3k"), (140_000, "140k"), (1_250_000, "1.2M")],
)
def test_tokens_in_round_numbers(tokens: int, shown: str) -> None:
    assert count(tokens) == shown


def usage(features: int, budget_left: str = "4") -> UsageSummary:
    lines = tuple(
        Line(f"Feature {n}", 1000 * (n + 1), Decimal(features - n)) for n in range(features)
    )
    windows = tuple(WindowUsage(w, 1, 10, Decimal(1), lines, lines[:1]) for w in WINDOWS)
    spent = Decimal(10) - Decimal(budget_left)
    kept = (Acceptance("Post ideas", 4, 3, 9000), Acceptance("Sequence emails", 0, 0, 0))
    return UsageSummary(windows, BudgetStatus(Decimal(10), spent, Decimal(0)), kept, MONTH)


def pre_blocks(text: str) -> list[list[str]]:
    """The rows of each <pre> table as Telegram shows them (entities decoded)."""
    return [unescape(b.split("</pre>")[0]).split("\n") for b in text.split("<pre>")[1:]]


def test_columns_line_up_and_a_long_list_ends_in_everything_else() -> None:
    text = summary(usage(features=MAX_LINES + 2), WEEK)
    totals, features, models, kept = pre_blocks(text)
    for block in (totals, features, models, kept):
        assert len({len(row) for row in block}) == 1, block  # every row as wide as the next
        assert max(len(row) for row in block) <= 36  # no wrapping on a phone
    assert len(features) == MAX_LINES
    assert features[-1].startswith("Everything else")
    assert features[-1].split()[-2:] == ["$6.00", "21.0k"]  # the last three summed
    assert kept[1].split() == ["Post", "ideas", "3/4", "75%", "<$0.01"]
    assert kept[2].split()[-3:] == ["–", "–", "–"]
    assert "By feature, 7 days" in text


def test_a_used_up_budget_says_when_it_comes_back() -> None:
    assert "model calls wait until 00:00 UTC" in summary(usage(1, budget_left="0"), TODAY)
    assert "(resets 00:00 UTC)" in summary(usage(1), TODAY)
