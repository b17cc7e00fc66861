"""The buttons of image runs: Generate, Pick, Regenerate, Edit prompt, Cancel, Retry.

Every decision is one conditional update in core: a double tap, or two admins at once,
give one change, and the second is told what already happened. Every query is answered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update

from core.errors import CopilotError
from core.pipeline import RunStatus, RunView, StatusTarget
from core.pipeline.models import IN_FLIGHT
from core.pipeline.queries import refusal
from handlers.common.context import BotContext
from handlers.common.dialog import routed
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import STALE, refuse, refuse_error
from handlers.common.telegram_io import edit_html
from handlers.images import command as images
from handlers.images import keyboards as kb
from handlers.images import views

Action = Callable[[CallbackQuery, BotContext, CallbackKey, int], Awaitable[None]]


async def on_image_button(update: Update, context: BotContext) -> None:
    user = update.effective_user
    assert user is not None
    found = await routed(update, context, kb.KIND, _ACTIONS)
    if found is None:
        return
    query, key, action = found
    if not isinstance(query.message, Message):  # too old for Telegram to show us
        await refuse(query, context, "stale", STALE)
        return
    try:
        await action(query, context, key, user.id)
    except CopilotError as error:
        await refuse_error(query, context, error)
        await _refresh(query, context, key)


async def _generate(query: CallbackQuery, context: BotContext, key: CallbackKey, user: int) -> None:
    message = _message(query)
    await query.answer("Starting an image run…")
    await images.start_run(context, message.chat.id, user, (key.item_id,), None)


async def _pick(query: CallbackQuery, context: BotContext, key: CallbackKey, user: int) -> None:
    result = await context.services.pipeline.pick(key.item_id, key.revision, user)
    await query.answer(f"Image {result.image.position} picked ✅")
    await _edit(query, context, views.picked_text(result))


async def _regenerate(
    query: CallbackQuery, context: BotContext, key: CallbackKey, user: int
) -> None:
    await _replace(query, context, key, user, "Regenerating with a fresh seed…")


async def _retry(query: CallbackQuery, context: BotContext, key: CallbackKey, user: int) -> None:
    await _replace(query, context, key, user, "Trying again…")


async def _replace(
    query: CallbackQuery, context: BotContext, key: CallbackKey, user: int, note: str
) -> None:
    pipeline = context.services.pipeline
    target = StatusTarget(_message(query).chat.id)
    new = await pipeline.replace(key.item_id, target=target, user_id=user)
    await query.answer(note)
    await _edit(query, context, views.replaced_text(await pipeline.get(key.item_id), new))


async def _edit_prompt(
    query: CallbackQuery, context: BotContext, key: CallbackKey, user: int
) -> None:
    run = await context.services.pipeline.get(key.item_id)
    if not run.waiting_for_pick:
        raise refusal(run)
    await query.answer()
    await images.ask_for_prompt(context, _message(query), run.id, user)


async def _cancel(query: CallbackQuery, context: BotContext, key: CallbackKey, user: int) -> None:
    result = await context.services.pipeline.cancel(key.item_id, user)
    await query.answer("Cancelled")
    await _edit(query, context, views.cancelled_text(result))


async def _refresh(query: CallbackQuery, context: BotContext, key: CallbackKey) -> None:
    """After a refused tap, the message shows what is true now, without stale buttons."""
    if key.action == kb.GENERATE:
        return
    try:
        run = await context.services.pipeline.get(key.item_id)
    except CopilotError:
        return
    if run.waiting_for_pick or run.status in IN_FLIGHT:
        return  # its buttons still mean something
    markup = kb.failed_keyboard(run.id) if _retryable(run) else None
    await _edit(query, context, _state_line(run), markup)


def _retryable(run: RunView) -> bool:
    return run.status == RunStatus.FAILED and run.replaced_by_id is None


def _state_line(run: RunView) -> str:
    if run.picked_position is not None:
        return f"✅ Image {run.picked_position} of image run #{run.id} was picked."
    if run.replaced_by_id is not None:
        return f"🔄 Image run #{run.id} was replaced by image run #{run.replaced_by_id}."
    if _retryable(run):
        return views.failed_text(run)
    return f"Image run #{run.id} is {run.status}."


async def _edit(
    query: CallbackQuery,
    context: BotContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    message = _message(query)
    await edit_html(context.bot, message.chat.id, message.message_id, text, markup)


def _message(query: CallbackQuery) -> Message:
    message = query.message
    assert isinstance(message, Message)
    return message


_ACTIONS: dict[str, Action] = {
    kb.GENERATE: _generate,
    kb.PICK: _pick,
    kb.REGENERATE: _regenerate,
    kb.RETRY: _retry,
    kb.EDIT_PROMPT: _edit_prompt,
    kb.CANCEL: _cancel,
}
