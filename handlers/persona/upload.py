"""A persona sent as a file: YAML or JSON, the REST body's shape, up to 256 KiB."""

from __future__ import annotations

from html import escape
from pathlib import PurePath

from telegram import Document, Update

from core.errors import Conflict, ValidationFailed
from handlers.common.context import BotContext
from handlers.common.dialog import Who, bullet_list, send
from handlers.persona.views import UPLOAD_HELP, card, created

MAX_BYTES = 256 * 1024
SUFFIXES = (".yaml", ".yml", ".json")


class Refused(Exception):
    """The file can't be read as a persona; the message says why (HTML)."""


async def on_document(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    who = Who.of(update)
    try:
        text = await _read(context, message.document)
        persona = await context.services.personas.import_document(text)
    except Refused as refused:
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
    _check_type(document)
    _check_size(document.file_size)
    telegram_file = await context.bot.get_file(document.file_id)
    data = bytes(await telegram_file.download_as_bytearray())
    _check_size(len(data))  # the declared size is optional, so check what arrived too
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Refused("The file is not UTF-8 text; save it as UTF-8 and send it again.") from None


def _check_type(document: Document) -> None:
    suffix = PurePath(document.file_name or "").suffix.lower()
    if suffix not in SUFFIXES:
        name = escape(document.file_name or "This file")
        raise Refused(f"{name} is not a persona file. {UPLOAD_HELP}")


def _check_size(size: int | None) -> None:
    if size is not None and size > MAX_BYTES:
        raise Refused(
            f"The file is {size // 1024} KiB; the most I accept is {MAX_BYTES // 1024} KiB."
        )
