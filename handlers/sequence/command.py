"""/sequence: the list of email sequences, or a new one in six short steps.

Where the person is lives in the database, so a restart resumes at the same step.
Buttons: `sq:` for the conversation and the sequence views, `sqe:` for one email's card
(in /approve and in a held alert).
"""

from __future__ import annotations

from telegram import Update

from core.conversations import Conversation
from handlers.common import crew_block
from handlers.common.context import BotContext
from handlers.common.dialog import Button, Who, dispatch, send, text_of
from handlers.sequence import browse, create, flow, recipients, review, rewrite
from handlers.sequence.keyboards import EMAIL_KIND, KIND
from handlers.sequence.steps import BY_STATE, CONSENT, DAYS, RECIPIENTS, SUMMARY

BUTTONS: dict[str, Button] = {
    "opt": flow.pick_option,
    "day": flow.toggle,
    "dd": flow.days_done,
    "cf": recipients.confirm_consent,
    "rl": recipients.another_list,
    "mk": create.confirm,
    "x": create.cancel,
    "new": browse.new,
    "ls": browse.listing,
    "v": browse.view,
    "log": browse.send_log,
    "pau": browse.pause,
    "res": browse.resume,
}
EMAIL_BUTTONS: dict[str, Button] = {
    "ap": review.approve,
    "an": review.approve,  # a held email: approving it sends it now (core.sequences.review)
    "rj": review.skip,
    "sk": review.skip,
    "ed": rewrite.start_edit,
    "rg": rewrite.regenerate,
    "wk": review.approve_week,
    "next": review.next_page,
    # The review crew's (handlers.common.crew_block): "Approve anyway — I checked it",
    # "Not yet", ✨ Apply optimizer rewrite.
    crew_block.CONFIRM: review.approve,
    crew_block.BACK: review.back,
    crew_block.REWRITE: rewrite.apply_rewrite,
}


async def sequence(update: Update, context: BotContext) -> None:
    who = Who.of(update)
    views = await context.services.sequences.recent(limit=browse.LISTED)
    if views:
        await browse.show_list(context, who, views)
    else:
        await flow.start(context, who)


async def on_button(update: Update, context: BotContext) -> None:
    await dispatch(update, context, KIND, BUTTONS)


async def on_email_button(update: Update, context: BotContext) -> None:
    await dispatch(update, context, EMAIL_KIND, EMAIL_BUTTONS)


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    """A message while a sequence conversation is open: the answer to the current step."""
    who, text = Who.of(update), text_of(update)
    if state.state == rewrite.EDITING:
        await rewrite.on_edit_text(update, context, state)
    elif state.state in (RECIPIENTS, CONSENT):
        await recipients.on_pasted(context, who, state, text)
    elif state.state == DAYS:
        await send(context, who, "Tap the days above, then ✅ Done; or /cancel.")
    elif state.state == SUMMARY:
        await send(context, who, "Tap ✅ Create sequence above, 👥 Change recipients, or /cancel.")
    elif state.state in BY_STATE:
        await flow.accept(context, who, state, text)
    else:
        await send(context, who, "Send /sequence to start again, or /cancel.")
