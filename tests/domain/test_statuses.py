"""The post state table: every pair of statuses, allowed or not, as the issue specifies."""

from __future__ import annotations

import itertools

import pytest

from domain import statuses as states
from domain.statuses import PostStatus as S

# The specification, written out independently of domain/statuses.py.
EXPECTED = {
    (S.DRAFT, S.AWAITING_IMAGE), (S.DRAFT, S.READY), (S.DRAFT, S.REJECTED),
    (S.AWAITING_IMAGE, S.READY), (S.AWAITING_IMAGE, S.DRAFT), (S.AWAITING_IMAGE, S.REJECTED),
    (S.READY, S.SCHEDULED), (S.READY, S.AWAITING_IMAGE), (S.READY, S.REJECTED),
    (S.SCHEDULED, S.PUBLISHING), (S.SCHEDULED, S.READY), (S.SCHEDULED, S.REJECTED),
    (S.PUBLISHING, S.PUBLISHED), (S.PUBLISHING, S.FAILED),
    (S.FAILED, S.SCHEDULED), (S.FAILED, S.READY),
    # Publishing (core/publishing): downtime, cut-off sends, expired claims.
    (S.SCHEDULED, S.MISSED), (S.PUBLISHING, S.UNKNOWN), (S.PUBLISHING, S.SCHEDULED),
    (S.UNKNOWN, S.PUBLISHED), (S.UNKNOWN, S.SCHEDULED),
    (S.MISSED, S.SCHEDULED), (S.MISSED, S.READY), (S.MISSED, S.REJECTED),
}  # fmt: skip

PAIRS = [(a, b) for a, b in itertools.product(S, S) if a != b]


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_transition_table(current: S, target: S) -> None:
    assert states.is_allowed(current, target) == ((current, target) in EXPECTED)


@pytest.mark.parametrize("status", sorted(states.BEFORE_PUBLISHING))
def test_rejection_is_possible_from_every_status_before_publishing(status: S) -> None:
    assert states.is_allowed(status, S.REJECTED)


@pytest.mark.parametrize("status", [S.PUBLISHING, S.PUBLISHED, S.FAILED, S.REJECTED])
def test_rejection_is_impossible_once_publishing_started(status: S) -> None:
    assert not states.is_allowed(status, S.REJECTED)


@pytest.mark.parametrize(
    ("current", "target", "message"),
    [
        (S.PUBLISHED, S.DRAFT, "Post #4 is published; it can't go back to draft"),
        (S.REJECTED, S.READY, "Post #4 is rejected; it can't go back to ready"),
        (S.PUBLISHED, S.REJECTED, "Post #4 is published; it can't change any more"),
        (
            S.DRAFT,
            S.PUBLISHING,
            "Post #4 is draft; it can't go to publishing (it can go to: awaiting_image, ready,"
            " rejected)",
        ),
        (
            S.SCHEDULED,
            S.DRAFT,
            "Post #4 is scheduled; it can't go back to draft (it can go to: missed, publishing,"
            " ready, rejected)",
        ),
    ],
)
def test_refusal_messages(current: S, target: S, message: str) -> None:
    assert states.refusal(4, current, target) == message


def test_unknown_status_is_named() -> None:
    with pytest.raises(ValueError, match="unknown post status 'archived'"):
        states.parse("archived")
