"""Live crew progress on a card: poll the review and redraw the card as steps finish.

A card whose review is still running gets one watcher (a background task per message):
every POLL_S it reads the review row, and when a step or the status changed it asks the
card to redraw itself. It stops when the review is finished, when the card says it moved
on (edited, decided, regenerating), after DEADLINE_S (the card then says the scores come
later), or when the bot stops. Watching a message again replaces its old watcher, so an
edited card never has two tasks fighting over it.

The card's own code does the drawing (`Redraw`), so posts, suggestions, reply drafts and
sequence emails all show progress the same way without this module knowing them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from core.crew.types import CrewReview
from handlers.common.context import BotContext

log = logging.getLogger(__name__)

POLL_S = 1.0
# Longer than a crew run with every step at its timeout; then the card stops ticking.
DEADLINE_S = 180.0
KEY = "crew_watchers"

# Draws the card as it is now; `stopped` when the deadline passed with the crew still
# working. Returns False when the card moved on and must not be drawn over any more.
Redraw = Callable[[bool], Awaitable[bool]]
Signature = tuple[str, tuple[tuple[str, str], ...]]


def watch(
    context: BotContext, chat_id: int, message_id: int, review: CrewReview | None, redraw: Redraw
) -> None:
    """Keep the card at (chat_id, message_id) current until `review` is finished.

    The card was just drawn from `review`; nothing is started when it is None (crew off)
    or finished already, and any older watcher of the message is stopped either way.
    """
    stop(context, chat_id, message_id)
    if review is None or review.finished:
        return
    task = context.application.create_task(
        _watch(context, review, redraw), name=f"crew-progress:{chat_id}:{message_id}"
    )
    watchers = _watchers(context)
    watchers[(chat_id, message_id)] = task
    task.add_done_callback(lambda done: _forget(watchers, (chat_id, message_id), done))


def stop(context: BotContext, chat_id: int, message_id: int) -> None:
    """Stop watching a card (it is being redrawn by something else, e.g. a regeneration)."""
    task = _watchers(context).pop((chat_id, message_id), None)
    if task is not None:
        task.cancel()


async def _watch(context: BotContext, first: CrewReview, redraw: Redraw) -> None:
    """A card that can't be redrawn (deleted, say) only stops ticking: logged, not raised."""
    try:
        await _follow(context, first, redraw)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("crew progress stopped", extra={"review_id": first.id})


async def _follow(context: BotContext, first: CrewReview, redraw: Redraw) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    shown = signature(first)
    while context.application.running:
        await asyncio.sleep(POLL_S)
        review = await context.services.crew.get(first.id)
        if review is None:
            return
        if signature(review) != shown:
            shown = signature(review)
            if not await redraw(False) or review.finished:
                return
        if loop.time() >= deadline:
            await redraw(True)
            return


def signature(review: CrewReview) -> Signature:
    """What the progress line shows: the status and each step's state."""
    return review.status.value, tuple((s.step.value, s.state.value) for s in review.steps)


def _watchers(context: BotContext) -> dict[tuple[int, int], asyncio.Task[None]]:
    watchers: dict[tuple[int, int], asyncio.Task[None]] = context.application.bot_data.setdefault(
        KEY, {}
    )
    return watchers


def _forget(
    watchers: dict[tuple[int, int], asyncio.Task[None]],
    key: tuple[int, int],
    done: asyncio.Task[None],
) -> None:
    """A finished watcher leaves the registry, unless a newer one took its place."""
    if watchers.get(key) is done:
        del watchers[key]
