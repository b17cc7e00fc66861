"""Refused button presses: answered as before, and each one logged and counted.

A refused press changes nothing, but it leaves a trace: one log line (who, which kind of
button, why) and `copilot_refused_actions_total{action, reason}` in /metrics. Both labels
come from fixed sets, never from the callback data a client sent, so a client can't
grow the metrics. The reasons:
- `stranger`: the user is not in ADMIN_USER_IDS;
- `invalid`: data that no button of this bot carries (forged, or a button kind gone);
- `stale`: a real button whose card or step moved on (changed, decided, over, gone).
"""

from __future__ import annotations

import logging
from typing import Literal

from telegram import CallbackQuery

from core.errors import AlreadyDecided, CopilotError, InvalidTransition, NotFound
from handlers.common.context import BotContext

log = logging.getLogger("copilot.refusals")

Reason = Literal["stranger", "invalid", "stale"]
STALE = "This button is no longer valid."
# The callback prefixes bot.app routes (tests check they agree); anything else is "other".
ACTIONS = frozenset({"cmp", "per", "pst", "img", "pb", "s", "retry", "q", "rp", "sq", "sqe", "sqd",
                     "brd", "usg", "rpt", "wr", "prm", "flw", "mem"})  # fmt: skip
# Errors that mean the item moved on since its button was shown.
MOVED_ON = (AlreadyDecided, InvalidTransition, NotFound)


def action_of(data: str | None) -> str:
    """The button's kind (its callback prefix) if it is one of ours, else "other"."""
    prefix = (data or "").split(":", 1)[0]
    return prefix if prefix in ACTIONS else "other"


def note(query: CallbackQuery, context: BotContext, reason: Reason) -> None:
    """Log and count one refused press (answering it is the caller's)."""
    action = action_of(query.data)
    context.services.metrics.refused_actions.labels(action=action, reason=reason).inc()
    user_id = query.from_user.id
    level = logging.INFO if reason == "stale" else logging.WARNING  # stale is routine
    log.log(
        level, "refused a button press: user %s, %s button, %s", user_id, action, reason,
        extra={"user_id": user_id, "action": action, "reason": reason,
               "callback_data": (query.data or "")[:64]},
    )  # fmt: skip


async def refuse(
    query: CallbackQuery,
    context: BotContext,
    reason: Reason,
    text: str = STALE,
    *,
    show_alert: bool = False,
) -> None:
    """Answer a refused press with `text`, logged and counted."""
    note(query, context, reason)
    await query.answer(text, show_alert=show_alert)


async def refuse_error(query: CallbackQuery, context: BotContext, error: CopilotError) -> None:
    """Answer with core's error (written for people); one that says the item moved on
    is a stale press."""
    if isinstance(error, MOVED_ON):
        note(query, context, "stale")
    await query.answer(str(error)[:200], show_alert=True)
