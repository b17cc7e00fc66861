"""The progress watcher: redraws on each change, stops when done, when the card moved on,
at its deadline, and when the same message is watched again."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from core.crew.types import CrewReview, StepReport
from domain.crew import ItemKind, ReviewStatus, StepName, StepState
from handlers.common import crew_progress
from handlers.common.context import BotContext

AT = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def _review(*states: StepState, status: ReviewStatus = ReviewStatus.RUNNING) -> CrewReview:
    names = (StepName.BRAND, StepName.COMPLIANCE, StepName.OPTIMIZER)
    steps = [StepReport(step=n, state=s) for n, s in zip(names, states, strict=True)]
    return CrewReview(id=1, kind=ItemKind.POST, item_id=1, content_hash="h", status=status,
                      steps=steps, created_at=AT, updated_at=AT)  # fmt: skip


@dataclass
class Crew:
    """Answers get() with the next scripted state, then keeps the last."""

    states: list[CrewReview]

    async def get(self, review_id: int) -> CrewReview | None:
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]


@dataclass
class Application:
    running: bool = True
    bot_data: dict[str, Any] = field(default_factory=dict)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def create_task(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self.tasks.append(task)
        return task


@dataclass
class Services:
    crew: Crew


@dataclass
class Context:
    application: Application
    services: Services


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crew_progress, "POLL_S", 0.01)


def _context(*states: CrewReview) -> Context:
    return Context(Application(), Services(Crew(list(states))))


class Card:
    def __init__(self, *, moves_on_after: int | None = None) -> None:
        self.draws: list[bool] = []
        self.moves_on_after = moves_on_after

    async def redraw(self, stopped: bool) -> bool:
        self.draws.append(stopped)
        return self.moves_on_after is None or len(self.draws) < self.moves_on_after


W, R, D = StepState.WAITING, StepState.RUNNING, StepState.DONE


async def test_redraws_once_per_change_and_stops_when_done() -> None:
    first = _review(R, R, W)
    context = _context(first, _review(D, R, W), _review(D, R, W), _review(D, D, R),
                       _review(D, D, D, status=ReviewStatus.DONE))  # fmt: skip
    card = Card()
    crew_progress.watch(cast(BotContext, context), 5, 9, first, card.redraw)
    await asyncio.wait_for(context.application.tasks[0], 2)
    assert card.draws == [False, False, False]  # three changes, the unchanged poll skipped
    assert context.application.bot_data[crew_progress.KEY] == {}


async def test_a_card_that_moved_on_is_left_alone() -> None:
    first = _review(R, R, W)
    context = _context(first, _review(D, R, W), _review(D, D, W), _review(D, D, R))
    card = Card(moves_on_after=1)
    crew_progress.watch(cast(BotContext, context), 5, 9, first, card.redraw)
    await asyncio.wait_for(context.application.tasks[0], 2)
    assert card.draws == [False]


async def test_the_deadline_draws_a_stopped_card(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crew_progress, "DEADLINE_S", 0.05)
    first = _review(R, R, W)
    context = _context(first)
    card = Card()
    crew_progress.watch(cast(BotContext, context), 5, 9, first, card.redraw)
    await asyncio.wait_for(context.application.tasks[0], 2)
    assert card.draws == [True]


async def test_watching_again_replaces_the_old_watcher_and_finished_starts_none() -> None:
    first = _review(R, R, W)
    context = _context(first)
    card = Card()
    crew_progress.watch(cast(BotContext, context), 5, 9, first, card.redraw)
    crew_progress.watch(cast(BotContext, context), 5, 9, first, card.redraw)
    old, new = context.application.tasks
    await asyncio.sleep(0.05)
    assert old.cancelled() and not new.done()
    done = _review(D, D, D, status=ReviewStatus.DONE)
    crew_progress.watch(cast(BotContext, context), 5, 9, done, card.redraw)
    await asyncio.sleep(0)
    assert new.cancelled() and len(context.application.tasks) == 2
    assert card.draws == []
