"""The Wilson score interval against published values."""

from __future__ import annotations

import pytest

from core.experiments.stats import wilson_interval


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        (3, 4, 0.3006, 0.9544),  # few decisions: wide
        (70, 100, 0.6041, 0.7810),  # many: narrow
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (1, 1, 0.2065, 1.0),
    ],
)
def test_matches_the_textbook(successes: int, trials: int, low: float, high: float) -> None:
    got = wilson_interval(successes, trials)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_three_of_four_does_not_look_better_than_seventy_of_a_hundred() -> None:
    few, many = wilson_interval(3, 4), wilson_interval(70, 100)
    assert few[0] < many[0] and few[1] - few[0] > 2 * (many[1] - many[0])


def test_no_trials_is_no_knowledge() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(("successes", "trials"), [(5, 4), (-1, 3), (0, -1)])
def test_impossible_counts_are_refused(successes: int, trials: int) -> None:
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(successes, trials)
