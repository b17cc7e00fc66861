"""/approve and the buttons on every suggestion card.

Buttons change state with conditional updates in core: a double tap, or two admins at
once, produce one transition, and the second tap is told it was already done.
"""

from __future__ import annotations

from telegram import CallbackQuery, ForceReply, Update
from telegram.constants import ParseMode

from core.conversations import Conversation
from core.errors import AlreadyDecided, CopilotError, InvalidTransition, NotFound
from core.posts.crew_gate import ComplianceUnconfirmed
from core.review_queue import QueueAction
from core.suggestions.models import SuggestionView
from domain.crew import ItemKind
from handlers.common import crew_block, review_cards
from handlers.common.context import BotContext
from handlers.common.dialog import Who
from handlers.common.keyboards import SUGGESTION, CallbackKey, page_keyboard
from handlers.common.refusals import refuse
from handlers.common.review_sections import sections_of
from handlers.review import posts as post_review
from handlers.review import suggestion_regenerate
from handlers.review.suggestion_cards import ask_confirmation, send_card, show_at
from handlers.schedule import command as schedule

PAGE_SIZE = 5
EDITING = "editing_suggestion"


async def approve_queue(update: Update, context: BotContext) -> None:
    """Suggestions, posts, then every other feature's section ("nothing waiting" if none)."""
    assert update.effective_chat is not None
    chat_id, who = update.effective_chat.id, Who.of(update)
    posts_waiting = await post_review.waiting(context)
    others = [section for section in sections_of(context) if await section.waiting(context)]
    suggestions_waiting = (await context.services.suggestions.pending(offset=0, limit=1)).total
    if suggestions_waiting or not (posts_waiting or others):
        await send_page(context, chat_id, 0)
    if posts_waiting:
        await post_review.send_queue(context, who, 0)
    for section in others:
        await section.show(context, who)


async def page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    key = CallbackKey.decode(query.data or "")
    await query.answer()
    await send_page(context, update.effective_chat.id, key.item_id if key else 0)


async def send_page(context: BotContext, chat_id: int, offset: int) -> None:
    result = await context.services.suggestions.pending(offset=offset, limit=PAGE_SIZE)
    if result.total == 0:
        await context.bot.send_message(chat_id, "Nothing is waiting for review. 🎉")
        return
    first, last = offset + 1, offset + len(result.items)
    header = f"<b>{result.total} waiting for review</b> (oldest first, {first}–{last} shown)"
    await context.bot.send_message(chat_id, header, parse_mode=ParseMode.HTML)
    for view in result.items:
        await send_card(context, chat_id, view)
    if offset > 0 or result.has_next:
        markup = page_keyboard(offset, offset > 0, result.has_next, PAGE_SIZE)
        await context.bot.send_message(chat_id, "More:", reply_markup=markup)


async def on_suggestion_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    key = CallbackKey.decode(query.data or "")
    if key is None or key.kind != SUGGESTION:
        await refuse(query, context, "invalid")
        return
    user_id = update.effective_user.id
    if key.action == "rg":
        await suggestion_regenerate.on_tap(query, context, key, user_id)
    elif key.action == "ed":
        await _start_edit(query, context, key, user_id)
    elif key.action in {"ap", "rj", crew_block.CONFIRM}:
        await _decide(query, context, key, user_id)
    elif key.action == crew_block.REWRITE:
        await _apply_rewrite(query, context, key, user_id)
    elif key.action == crew_block.BACK:
        await query.answer()
        await _refresh_card(query, context, key.item_id)
    elif key.action == "tx":
        await _post_as_text(query, context, key, user_id)
    else:
        await refuse(query, context, "invalid")


async def _decide(
    query: CallbackQuery, context: BotContext, key: CallbackKey, user_id: int
) -> None:
    """Approve (`ac`: approve anyway, the person checked the compliance findings) or reject."""
    service = context.services.suggestions
    try:
        if key.action == "rj":
            view = await service.reject(key.item_id, key.revision, user_id)
        else:
            confirmed = key.action == crew_block.CONFIRM
            view = await service.approve(key.item_id, key.revision, user_id, confirmed=confirmed)
    except (AlreadyDecided, NotFound) as error:
        await refuse(query, context, "stale", str(error), show_alert=True)
        await _refresh_card(query, context, key.item_id)
        return
    except ComplianceUnconfirmed as error:
        await query.answer(str(error)[:200], show_alert=True)
        await _ask_confirmation(query, context, key.item_id)
        return
    await query.answer("Approved ✅" if view.status == "approved" else "Rejected")
    await _show(query, context, view)
    action = QueueAction.APPROVE if view.status == "approved" else QueueAction.REJECT
    await review_cards.decided_here(
        context, query, ItemKind.SUGGESTION, view.id, action, view.status
    )


async def _ask_confirmation(query: CallbackQuery, context: BotContext, suggestion_id: int) -> None:
    if query.message is None:
        return
    view = await context.services.suggestions.get(suggestion_id)
    chat_id, message_id = query.message.chat.id, query.message.message_id
    await ask_confirmation(context, chat_id, message_id, view, crew_block.CONFIRM_QUESTION)


async def _apply_rewrite(
    query: CallbackQuery, context: BotContext, key: CallbackKey, user_id: int
) -> None:
    """✨ The optimizer's rewrite becomes the caption (through the edit path)."""
    try:
        view = await context.services.suggestions.apply_rewrite(key.item_id, key.revision, user_id)
    except (AlreadyDecided, NotFound, InvalidTransition) as error:
        await refuse(query, context, "stale", str(error)[:200], show_alert=True)
        await _refresh_card(query, context, key.item_id)
        return
    except CopilotError as error:  # the rewrite does not fit (too long, say): nothing changed
        await query.answer(str(error)[:200], show_alert=True)
        return
    await query.answer("Rewrite applied ✨")
    await _show(query, context, view)


async def _post_as_text(
    query: CallbackQuery, context: BotContext, key: CallbackKey, user_id: int
) -> None:
    try:
        post_id = await context.services.suggestions.post_as_text(key.item_id, user_id)
    except CopilotError as error:
        await query.answer(str(error)[:200], show_alert=True)
        return
    await query.answer("Text only ✅")
    message = query.message
    if message is None:
        return
    view = await context.services.suggestions.get(key.item_id)
    await show_at(context, message.chat.id, message.message_id, view, next_steps=False)
    await schedule.offer_time(context, message.chat.id, post_id)


TOO_OLD = "This card is too old to edit; use /approve."


async def _start_edit(
    query: CallbackQuery, context: BotContext, key: CallbackKey, user_id: int
) -> None:
    message = query.message
    if message is None:
        await refuse(query, context, "stale", TOO_OLD, show_alert=True)
        return
    data = {"id": key.item_id, "revision": key.revision, "message_id": message.message_id}
    await context.services.conversations.set(message.chat.id, user_id, Conversation(EDITING, data))
    await query.answer()
    await context.bot.send_message(
        message.chat.id,
        f"Send the new caption for suggestion #{key.item_id} as your next message, or /cancel.",
        reply_markup=ForceReply(input_field_placeholder="New caption"),
    )


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    """The reply to ✏️ Edit on a suggestion card: its new caption."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    assert message is not None and user is not None and chat is not None
    conversations = context.services.conversations
    data = state.data
    try:
        view = await context.services.suggestions.edit_caption(
            int(data["id"]), int(data["revision"]), message.text or "", user.id
        )
    except AlreadyDecided as error:
        await conversations.clear(chat.id, user.id)
        await message.reply_text(f"{error} The edit was not applied.")
        return
    except CopilotError as error:
        await message.reply_text(f"{error} Send the caption again, or /cancel.")
        return
    await conversations.clear(chat.id, user.id)
    card = (chat.id, int(data["message_id"]))
    await show_at(context, chat.id, card[1], view)
    await message.reply_text(f"Caption of suggestion #{view.id} updated. The card above shows it.")
    await review_cards.done_in_chat(context, user, card, ItemKind.SUGGESTION, view.id,
                                    QueueAction.EDIT, view.status)  # fmt: skip


async def _refresh_card(query: CallbackQuery, context: BotContext, suggestion_id: int) -> None:
    try:
        view = await context.services.suggestions.get(suggestion_id)
    except NotFound:
        return
    await _show(query, context, view)


async def _show(query: CallbackQuery, context: BotContext, view: SuggestionView) -> None:
    if query.message is not None:
        await show_at(context, query.message.chat.id, query.message.message_id, view)
