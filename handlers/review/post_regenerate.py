"""🔄 Regenerate on a post card (`pst:rg:<id>:<revision>`): the model rewrites its caption.

The tap is answered at once and the card says the model is writing, its buttons off;
"typing…" shows meanwhile. The card is claimed in core.inflight, so a second tap (or a
second admin, or a second replica) starts no second call, and a restart mid-call puts
the card back (handlers.interrupted). The model runs in a background task, so neither
this chat nor any other waits on it. The card then shows the new caption and hashtags,
says the model wrote the same caption again, or says why there are none with a 🔁 Retry
button: a failed call, a spent budget or a timeout change nothing, and a post edited or
decided meanwhile keeps its words (core.posts.regenerate).
"""

from __future__ import annotations

from html import escape

from telegram import Update, User

from core.errors import AlreadyDecided, CopilotError, InvalidTransition, NotFound
from core.inflight import CardKind
from core.review_queue import QueueAction
from domain.crew import ItemKind
from handlers.common import review_cards
from handlers.common.context import BotContext
from handlers.common.dialog import Who, edit, key_of
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import STALE, refuse
from handlers.common.telegram_io import typing
from handlers.common.views import REPEATED
from handlers.review.post_cards import show_at
from handlers.review.post_views import KIND

ACTION = "rg"
WRITING = "✍️ Writing a new caption and hashtags…"
DONE = "🔄 New caption and hashtags from the model: approve them when they read right."


async def on_button(update: Update, context: BotContext) -> None:
    query, key = key_of(update)
    message = query.message
    if key is None or (key.kind, key.action) != (KIND, ACTION) or message is None:
        await refuse(query, context, "invalid", STALE)
        return
    who = Who.of(update)
    try:
        current = await context.services.posts.editable_at(key.item_id, key.revision)
    except (AlreadyDecided, InvalidTransition, NotFound) as error:
        await refuse(query, context, "stale", f"{error} Nothing was regenerated.", show_alert=True)
        await _redraw(context, who, message.message_id, key.item_id)
        return
    cards = context.services.cards
    claim = await cards.claim(
        CardKind.POST, key.item_id, chat_id=who.chat_id, message_id=message.message_id,
        user_id=who.user_id,
    )  # fmt: skip
    if claim is None:  # a second tap before the card changed, or another admin
        await query.answer("Already writing a new caption for this post…")
        return
    try:
        await query.answer("Writing a new caption…")
        await show_at(context, who, message.message_id, current, note=WRITING, buttons=False)
        context.application.create_task(
            _write(context, who, (message.message_id, query.from_user), key, claim),
            update=update,
            name=f"regenerate-post:{key.item_id}:{message.message_id}",
        )
    except BaseException:
        await cards.release(claim)
        raise


async def _write(
    context: BotContext, who: Who, tapped: tuple[int, User], key: CallbackKey, claim: int
) -> None:
    """`tapped`: the card's message id and who tapped 🔄 on it.

    The claim is released before the card is redrawn: once its buttons are back, a tap on
    them starts a new call instead of hearing "Already writing"."""
    message_id, user = tapped
    post_id, regenerator = key.item_id, context.services.post_regenerator
    try:
        try:
            async with typing(context.bot, who.chat_id):
                redone = await regenerator.regenerate(post_id, key.revision, who.user_id)
        finally:
            await context.services.cards.release(claim)
    except (AlreadyDecided, InvalidTransition, NotFound) as error:
        await _redraw(context, who, message_id, post_id, f"⚠️ {escape(str(error))}")
        return
    except CopilotError as error:  # the model failed, timed out, or the budget is spent
        await _failed(context, who, message_id, post_id, str(error))
        return
    except Exception:
        await _failed(context, who, message_id, post_id, "something went wrong on my side.")
        raise  # logged by the error handler
    await show_at(context, who, message_id, redone.view, note=REPEATED if redone.repeated else DONE)
    if not redone.repeated:  # new words: the other cards show them
        card, status = (who.chat_id, message_id), redone.view.status
        await review_cards.done_in_chat(
            context, user, card, ItemKind.POST, post_id, QueueAction.REGENERATE, status
        )


async def _failed(
    context: BotContext, who: Who, message_id: int, post_id: int, reason: str
) -> None:
    note = f"⚠️ Couldn't write a new caption: {escape(reason)} Nothing was changed."
    await _redraw(context, who, message_id, post_id, note, retry=True)


async def _redraw(
    context: BotContext,
    who: Who,
    message_id: int,
    post_id: int,
    note: str = "",
    *,
    retry: bool = False,
) -> None:
    """The card as the post is now: after a refusal it shows what is really there."""
    try:
        view = await context.services.posts.get(post_id)
    except NotFound as error:
        await edit(context, who, message_id, f"⚠️ {escape(str(error))}")
        return
    await show_at(context, who, message_id, view, note=note, retry=retry)
