"""The result's buttons: 🔄 Refresh, 📣 Make a post draft, ✉️ Make an email draft,
⬇️ Download .txt / .json, 🔁 Try again.

Each reads the content as it is now; files are made from it, nothing is changed. The post
draft is made once, whoever taps first (core.content.service.make_post).
"""

from __future__ import annotations

from html import escape

from telegram import CallbackQuery, InputFile
from telegram.constants import ParseMode

from core.content import exports
from core.content.views import ContentView
from core.errors import CopilotError, NotFound
from domain.content import ContentStatus
from handlers.common.context import BotContext
from handlers.common.dialog import Who, edit, message_id_of, send
from handlers.common.keyboards import CallbackKey
from handlers.common.refusals import refuse, refuse_error
from handlers.write import flow, writing
from handlers.write.render import markup_for, text_for

NOT_READY = "The crew hasn't finished it yet; tap 🔄 Refresh in a moment."
MAIL_CAPTION = (
    "✉️ <b>Email draft:</b> {subject}\nOpen it in your mail app (Outlook, Apple Mail, "
    "Thunderbird): it opens as a draft. Add the recipients, read it once more, and send."
)


async def refresh(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    view = await _content(query, context, key)
    if view is None:
        return
    await query.answer("Still writing…" if not view.finished else None)
    await _show(context, who, query, view)
    message_id = message_id_of(query)
    if not view.finished and message_id is not None:  # e.g. after a restart
        await writing.keep_current(context, who, view.id, message_id)


async def post_draft(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    try:
        post_id = await context.services.content.make_post(key.item_id, who.user_id)
        view = await context.services.content.get_by_id(key.item_id)
    except CopilotError as error:
        await refuse_error(query, context, error)
        return
    await query.answer(f"Draft post #{post_id} saved ✅ Approve it in /approve.", show_alert=True)
    await _show(context, who, query, view)


async def email_draft(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    view = await _finished(query, context, key)
    if view is None:
        return
    await query.answer()
    data = exports.email_draft(view, sender=None)
    caption = MAIL_CAPTION.format(subject=escape(exports.subject_of(view)))
    await _document(context, who, data, exports.file_name(view, "eml"), caption)


async def download_text(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    view = await _finished(query, context, key)
    if view is not None:
        await query.answer()
        data = exports.as_text(view).encode("utf-8")
        await _document(context, who, data, exports.file_name(view, "txt"), "⬇️ The whole text")


async def download_json(
    query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey
) -> None:
    view = await _finished(query, context, key)
    if view is not None:
        await query.answer()
        caption = "⬇️ As <code>GET /api/campaign/{id}</code> answers it"
        await _document(context, who, exports.as_json_bytes(view),
                        exports.file_name(view, "json"), caption)  # fmt: skip


async def try_again(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    """The same brief to the crew once more, as new content (the failed one stays)."""
    try:
        view = await context.services.content.retry(key.item_id, who.user_id)
        failed = await context.services.content.get_by_id(key.item_id)
    except CopilotError as error:
        await refuse_error(query, context, error)
        return
    await query.answer("Asking the crew again…")
    await _show(context, who, query, failed)  # now says "tried again as #N", no button
    await writing.show(context, who, view)


async def new(query: CallbackQuery, context: BotContext, who: Who, key: CallbackKey) -> None:
    await query.answer()
    await flow.start(context, who)


async def _content(
    query: CallbackQuery, context: BotContext, key: CallbackKey
) -> ContentView | None:
    try:
        return await context.services.content.get_by_id(key.item_id)
    except NotFound as error:
        await refuse_error(query, context, error)
        return None


async def _finished(
    query: CallbackQuery, context: BotContext, key: CallbackKey
) -> ContentView | None:
    view = await _content(query, context, key)
    if view is not None and view.status != ContentStatus.COMPLETED:
        reason = NOT_READY if not view.finished else "The crew couldn't write this one."
        await refuse(query, context, "stale", reason, show_alert=True)
        return None
    return view


async def _show(context: BotContext, who: Who, query: CallbackQuery, view: ContentView) -> None:
    text, markup = await text_for(context, view), markup_for(view)
    message_id = message_id_of(query)
    if message_id is None:
        await send(context, who, text, markup)
    else:
        await edit(context, who, message_id, text, markup)


async def _document(context: BotContext, who: Who, data: bytes, name: str, caption: str) -> None:
    await context.bot.send_document(
        who.chat_id, InputFile(data, filename=name), caption=caption, parse_mode=ParseMode.HTML
    )
