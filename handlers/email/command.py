"""/email: a customer email pasted, forwarded or sent as an .eml file, handed to the intake.

/email alone shows how and the latest emails, and waits for the paste (state
"email:paste"). A paste that names no sender waits for the address ("email:sender").
The Telegram message is the email's source ref, so a redelivered update stores nothing
twice.
"""

from __future__ import annotations

from telegram import Update

from core.conversations import Conversation
from core.emaildesk.addresses import mailbox
from core.emaildesk.pasted import Pasted, read_pasted
from core.emaildesk.types import ReceivedEmail
from domain.emaildesk import MAX_EMAIL_BYTES, EmailSource
from handlers.common.context import BotContext
from handlers.common.dialog import Who, clear, save, send, text_of, zone
from handlers.common.files import FileRefused, FileRule, download
from handlers.email import views

PREFIX = "email:"
PASTE = "email:paste"
SENDER = "email:sender"
SUFFIXES = (".eml",)
EML_FILES = FileRule(SUFFIXES, MAX_EMAIL_BYTES, views.NOT_EML, views.TOO_BIG)


async def email(update: Update, context: BotContext) -> None:
    who = Who.of(update)
    pasted = text_of(update).split(None, 1)[1:]
    if pasted:
        await _take_paste(update, context, who, pasted[0])
        return
    await save(context, who, PASTE, {})
    latest = await context.services.email_intake.recent(limit=5)
    await send(context, who, views.overview(latest, zone(context)))


async def on_text(update: Update, context: BotContext, state: Conversation) -> None:
    who = Who.of(update)
    if state.state == SENDER:
        await _take_sender(update, context, who, state)
        return
    await _take_paste(update, context, who, text_of(update))


async def _take_paste(update: Update, context: BotContext, who: Who, text: str) -> None:
    pasted = read_pasted(text)
    if not pasted.text.strip():
        await send(context, who, views.EMPTY)
        return
    if pasted.sender is None:
        await save(context, who, SENDER, {"subject": pasted.subject, "text": pasted.text})
        await send(context, who, views.ASK_SENDER)
        return
    await _store(update, context, who, pasted)


async def _take_sender(update: Update, context: BotContext, who: Who, state: Conversation) -> None:
    sender = mailbox(text_of(update))
    if sender is None:
        await send(context, who, views.NOT_AN_ADDRESS)
        return
    pasted = Pasted(None, str(state.data["subject"]), str(state.data["text"]))
    await _store(update, context, who, pasted.with_sender(*sender))


async def _store(update: Update, context: BotContext, who: Who, pasted: Pasted) -> None:
    received = await context.services.email_intake.receive_parsed(
        pasted.parsed(), source=EmailSource.TELEGRAM, source_ref=_ref(update)
    )
    await _done(context, who, received)


async def on_document(update: Update, context: BotContext) -> None:
    """An .eml file, whenever it is sent."""
    message = update.effective_message
    assert message is not None and message.document is not None
    who = Who.of(update)
    try:
        raw = await download(context, message.document, EML_FILES)
    except FileRefused as refused:
        await send(context, who, str(refused))
        return
    received = await context.services.email_intake.receive_raw(
        raw, source=EmailSource.TELEGRAM, source_ref=_ref(update)
    )
    await _done(context, who, received)


async def on_document_in_state(update: Update, context: BotContext, state: Conversation) -> None:
    """A file sent while /email waits for a paste: the same as one sent any time."""
    await on_document(update, context)


async def _done(context: BotContext, who: Who, received: ReceivedEmail) -> None:
    await clear(context, who)
    await send(context, who, views.received(received))


def _ref(update: Update) -> str:
    message = update.effective_message
    assert message is not None
    return f"{message.chat_id}:{message.message_id}"
