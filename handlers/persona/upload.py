"""A persona sent as a file: YAML or JSON, the REST body's shape, up to 256 KiB."""

from __future__ import annotations

from html import escape

from telegram import Document, Update

from core.errors import Conflict, ValidationFailed
from handlers.common.context import BotContext
from handlers.common.dialog import Who, bullet_list, send
from handlers.common.files import FileRefused, FileRule, download
from handlers.persona.views import UPLOAD_HELP, card, created

MAX_BYTES = 256 * 1024
SUFFIXES = (".yaml", ".yml", ".json")
PERSONA_FILES = FileRule(
    SUFFIXES,
    MAX_BYTES,
    f"{{name}} is not a persona file. {UPLOAD_HELP}",
    "The file is {kib} KiB; the most I accept is {limit_kib} KiB.",
)


class Refused(Exception):
    """The file can't be read as a persona; the message says why (HTML)."""


async def on_document(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    who = Who.of(update)
    try:
        text = await _read(context, message.document)
        persona = await context.services.personas.import_document(text)
    except (Refused, FileRefused) as refused:
        await send(context, who, f"⚠️ {refused}")
        return
    except ValidationFailed as error:
        name = escape(message.document.file_name or "the file")
        await send(context, who, f"⚠️ I couldn't import {name}:\n{bullet_list(error.problems)}")
        return
    except Conflict as error:
        await send(context, who, f"⚠️ {escape(str(error))} Rename it in the file and send it again.")
        return
    await send(context, who, created(persona, "imported"))
    await send(context, who, card(persona))


async def _read(context: BotContext, document: Document) -> str:
    data = await download(context, document, PERSONA_FILES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused("The file is not UTF-8 text; save it as UTF-8 and send it again.") from None
