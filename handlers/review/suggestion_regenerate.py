"""🔄 Regenerate on a suggestion card (`s:rg:<id>:<revision>`): another suggestion in its place.

As on post cards (handlers.post_regenerate): the tap is answered at once and the card says
the model is writing, its buttons off. The card is claimed in core.inflight, so a second
tap (or a second admin) starts no second call, and a restart mid-call puts the card back.
The model runs in a background task; the card then shows the new suggestion, says the
model wrote the same text again, or says why there is none (nothing changed).
"""

from __future__ import annotations

from html import escape

from telegram import CallbackQuery, User

from core.errors import AlreadyDecided, CopilotError, NotFound
from core.inflight import CardKind
from core.review_queue import QueueAction
from domain.crew import ItemKind
from handlers.common import review_cards
from handlers.common.context import BotContext
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse
from handlers.common.telegram_io import typing
from handlers.common.views import REPEATED
from handlers.review.suggestion_cards import show_at

WRITING = "✍️ Writing another suggestion…"
DONE = "🔄 A new version from the model."
BROKEN = "something went wrong on my side."


async def on_tap(query: CallbackQuery, context: BotContext, key: CallbackKey, user_id: int) -> None:
    message = query.message
    if message is None:
        await refuse(
            query, context, "stale", "This card is too old; use /approve.", show_alert=True
        )
        return
    chat_id, message_id = message.chat.id, message.message_id
    services = context.services
    try:
        current = await services.suggestions.pending_at(key.item_id, key.revision)
    except (AlreadyDecided, NotFound) as error:
        await refuse(query, context, "stale", f"{error} Nothing was regenerated.", show_alert=True)
        await _redraw(context, chat_id, message_id, key.item_id)
        return
    claim = await services.cards.claim(
        CardKind.SUGGESTION, key.item_id, chat_id=chat_id, message_id=message_id, user_id=user_id
    )
    if claim is None:  # a second tap, or another admin, while the model writes
        await query.answer("Already writing a new version of this suggestion…")
        return
    try:
        await query.answer("Writing a new version…")
        await show_at(context, chat_id, message_id, current, note=WRITING, buttons=False)
        context.application.create_task(
            _write(context, (chat_id, message_id), key, query.from_user, claim),
            name=f"regenerate-suggestion:{key.item_id}:{message_id}",
        )
    except BaseException:
        await services.cards.release(claim)
        raise


async def _write(
    context: BotContext, card: tuple[int, int], key: CallbackKey, user: User, claim: int
) -> None:
    """`card`: the tapped card's (chat_id, message_id); `user` tapped 🔄 on it.

    The claim is released before the card is redrawn: once its buttons are back, a tap on
    them starts a new call instead of hearing "Already writing"."""
    (chat_id, message_id), suggestion_id = card, key.item_id
    try:
        try:
            async with typing(context.bot, chat_id):
                redone = await context.services.suggestions.regenerate(
                    suggestion_id, key.revision, user.id
                )
        finally:
            await context.services.cards.release(claim)
    except (AlreadyDecided, NotFound) as error:  # decided or edited meanwhile
        await _redraw(context, chat_id, message_id, suggestion_id, f"⚠️ {escape(str(error))}")
        return
    except CopilotError as error:  # the model failed, timed out, or the budget is spent
        await _failed(context, chat_id, message_id, suggestion_id, str(error))
        return
    except Exception:
        await _failed(context, chat_id, message_id, suggestion_id, BROKEN)
        raise  # logged by the error handler
    await show_at(
        context, chat_id, message_id, redone.view, note=REPEATED if redone.repeated else DONE
    )
    if not redone.repeated:  # new words: the other cards show them
        action, status = QueueAction.REGENERATE, redone.view.status
        await review_cards.done_in_chat(
            context, user, card, ItemKind.SUGGESTION, suggestion_id, action, status
        )


async def _failed(
    context: BotContext, chat_id: int, message_id: int, suggestion_id: int, reason: str
) -> None:
    note = f"⚠️ Couldn't write another suggestion: {escape(reason)} Nothing was changed."
    await _redraw(context, chat_id, message_id, suggestion_id, note)


async def _redraw(
    context: BotContext, chat_id: int, message_id: int, suggestion_id: int, note: str = ""
) -> None:
    """The card as the suggestion is now: after a refusal it shows what is really there."""
    try:
        view = await context.services.suggestions.get(suggestion_id)
    except NotFound:
        return
    await show_at(context, chat_id, message_id, view, note=note)
