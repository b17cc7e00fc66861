"""The buttons on a reply card. Each acts on the revision its card showed.

Decisions are conditional updates in core: a double tap, or two admins at once, make one
change; the second is told what happened and its card is redrawn as the reply is now.
Nothing slow runs in a tap: drafting again and sending are the engine's background
work, and every card is redrawn when they end.

The review crew's buttons ride on the same prefix: ✨ Apply optimizer rewrite (`ow`)
goes through ✏️ Edit's path in core; ✅ Approve & send on a draft with an unconfirmed
compliance failure turns the tapped card into the question "Approve anyway?" (`ac` to
approve, `bk` to go back), and core refuses the approval until then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from telegram import CallbackQuery, ForceReply, InlineKeyboardMarkup, Update

from core.emaildesk.reply_views import ReplyView
from core.errors import CopilotError, NotFound
from core.posts.crew_gate import ComplianceUnconfirmed
from domain.email_replies import ReplyStatus, Tone
from handlers.common import crew_block, crew_progress, dialog
from handlers.common.context import BotContext
from handlers.common.dialog import Button, Who
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse, refuse_error
from handlers.common.telegram_io import edit_html
from handlers.replies import keyboards as kb
from handlers.replies.cards import ReplyCards

EDITING = "reply:edit"
TOO_OLD = "This card is too old; use /approve."
WRITING = "✍️ Writing another draft…"
SENDING = "📤 Sending…"
APPLIED = "✨ The optimizer's rewrite is the draft now; the crew checks it again."

Decide = Callable[[int, int, int], Awaitable[ReplyView]]


async def on_button(update: Update, context: BotContext) -> None:
    await dialog.dispatch(update, context, kb.KIND, _BUTTONS)


def _decision(pick: Callable[[BotContext], Decide], done: str) -> Button:
    async def tap(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
        try:
            view = await pick(context)(key.item_id, key.revision, who.user_id)
        except ComplianceUnconfirmed as error:
            await _ask_confirmation(query, context, key, error)
            return
        except CopilotError as error:  # moved on (said, card redrawn), or sending is off
            await _refused(query, context, key, error)
            return
        await query.answer(done)
        sending = view.status is ReplyStatus.APPROVED
        # "Sending…" first: the outcome's redraw must come after it, never under it.
        await ReplyCards.of(context).redraw(view, SENDING if sending else "")
        if sending:
            context.services.reply_engine.send_soon(view.id)

    return tap


def _redo(tone: Tone | None) -> Button:
    """🔄 Regenerate, or one of 🎭's tones: every card says the model writes, then shows it."""

    async def tap(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
        engine = context.services.reply_engine
        try:
            view = await engine.start_redo(key.item_id, key.revision, who.user_id, tone=tone)
        except CopilotError as error:
            await _refused(query, context, key, error)
            return
        await query.answer("Writing a new draft…")
        await ReplyCards.of(context).redraw(view, WRITING)
        engine.redraft_soon(view.id)

    return tap


def _approve_anyway(context: BotContext) -> Decide:
    """✅ Approve anyway — I checked it: the approval, with the confirmation recorded."""

    async def approve(reply_id: int, revision: int, user_id: int) -> ReplyView:
        return await context.services.replies.approve(reply_id, revision, user_id, confirmed=True)

    return approve


async def _ask_confirmation(
    query: CallbackQuery, context: BotContext, key: CallbackKey, error: CopilotError
) -> None:
    """Approve met an unconfirmed compliance failure: this card asks before approving."""
    message = query.message
    view = await _pending(query, context, key)
    if view is None or message is None:
        return
    await query.answer(str(error)[:200], show_alert=True)
    crew_progress.stop(context, message.chat.id, message.message_id)
    cards = ReplyCards.of(context)
    html, _ = cards.card(view, await context.services.replies.crew(view),
                         crew_block.CONFIRM_QUESTION)  # fmt: skip
    markup = crew_block.confirm_keyboard(kb.KIND, view.id, view.revision)
    await edit_html(context.bot, message.chat.id, message.message_id, html, markup)


async def _rewrite(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """✨ Apply optimizer rewrite: the draft's new words, through ✏️ Edit's path in core."""
    try:
        view = await context.services.replies.apply_rewrite(key.item_id, key.revision, who.user_id)
    except CopilotError as error:  # moved on, or the rewrite is no longer offered
        await _refused(query, context, key, error)
        return
    await query.answer("Rewrite applied ✨")
    await ReplyCards.of(context).redraw(view, APPLIED)


async def _tones(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """🎭 Change tone: the card's buttons become the three tones (and ◀ Back)."""
    await _swap_buttons(query, context, key, kb.tone_keyboard)


async def _back(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """◀ Back from the tones, or ↩️ Not yet under "Approve anyway?": the card as it was."""
    view = await _pending(query, context, key)
    if view is None:
        return
    await query.answer()
    await ReplyCards.of(context).redraw(view)


async def _swap_buttons(
    query: CallbackQuery,
    context: BotContext,
    key: CallbackKey,
    buttons: Callable[[ReplyView], InlineKeyboardMarkup | None],
) -> None:
    """The card as it is, with other buttons (its crew block stays; it stops ticking)."""
    message = query.message
    view = await _pending(query, context, key)
    if view is None or message is None:
        return
    await query.answer()
    crew_progress.stop(context, message.chat.id, message.message_id)
    html, _ = ReplyCards.of(context).card(view, await context.services.replies.crew(view))
    await edit_html(context.bot, message.chat.id, message.message_id, html, buttons(view))


async def _edit(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """✏️ Edit: the next message is the new reply text."""
    view = await _pending(query, context, key)
    if view is None:
        return
    await dialog.save(context, who, EDITING, {"id": view.id, "revision": view.revision})
    await query.answer()
    await context.bot.send_message(
        who.chat_id,
        f"Send the new text of reply #{view.id} as your next message, or /cancel. "
        "It replaces the whole draft; the card above has the current one to copy.",
        reply_markup=ForceReply(input_field_placeholder="The reply to send"),
    )


async def _pending(query: CallbackQuery, context: BotContext, key: CallbackKey) -> ReplyView | None:
    """The card's draft if it is still pending at the tapped revision; else refused, None."""
    try:
        view = await context.services.replies.at(key.item_id, key.revision)
    except CopilotError as error:
        await _refused(query, context, key, error)
        return None
    if query.message is None or view.status is not ReplyStatus.PENDING:
        await refuse(query, context, "stale", TOO_OLD, show_alert=True)
        return None
    return view


async def _refused(
    query: CallbackQuery, context: BotContext, key: CallbackKey, error: CopilotError
) -> None:
    await refuse_error(query, context, error)
    try:
        view = await context.services.replies.get(key.item_id)
    except NotFound:
        return
    await ReplyCards.of(context).redraw(view)


_BUTTONS: Mapping[str, Button] = {
    kb.APPROVE: _decision(lambda c: c.services.replies.approve, "Sending… 📤"),
    crew_block.CONFIRM: _decision(_approve_anyway, "Sending… 📤"),
    crew_block.REWRITE: _rewrite,
    kb.REJECT: _decision(lambda c: c.services.replies.reject, "Rejected 🗑"),
    kb.RETRY: _decision(lambda c: c.services.replies.retry, "Sending again… 📤"),
    kb.SEND_AGAIN: _decision(lambda c: c.services.replies.send_again, "Sending again… 📤"),
    kb.WAS_SENT: _decision(lambda c: c.services.replies.confirm_sent, "Noted: sent ✅"),
    kb.REGENERATE: _redo(None),
    **{action: _redo(tone) for action, tone in kb.TONE_ACTIONS.items()},
    kb.TONES: _tones,
    kb.BACK: _back,
    kb.EDIT: _edit,
}
