"""A brand sent as a file while /brand waits for one: YAML or JSON, up to 256 KiB.

The persona was picked before the file was asked for; a file that does not pass keeps
the wait, so a fixed file can simply be sent again.
"""

from __future__ import annotations

from html import escape

from telegram import Document, Update

from core.conversations import Conversation
from core.errors import NotFound, ValidationFailed
from handlers.brand.create import actor
from handlers.brand.edit import PREFIX as EDITING
from handlers.brand.views import UPLOAD_HELP, card, card_keyboard, saved
from handlers.common.context import BotContext
from handlers.common.dialog import Who, bullet_list, clear, send
from handlers.common.files import FileRefused, FileRule, download

MAX_BYTES = 256 * 1024
BRAND_FILES = FileRule(
    (".yaml", ".yml", ".json"),
    MAX_BYTES,
    f"{{name}} is not a brand file. {UPLOAD_HELP}",
    "The file is {kib} KiB; the most I accept is {limit_kib} KiB.",
)
NOT_A_FILE = "I'm waiting for the brand as a file (YAML or JSON). Send it, or /cancel."
WHILE_EDITING = (
    "I'm waiting for the new value as text. To replace the whole brand with a file, "
    "/cancel and tap 📄 Upload a file in /brand."
)


async def on_document(update: Update, context: BotContext, state: Conversation) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    who = Who.of(update)
    if state.state.startswith(EDITING):
        await send(context, who, WHILE_EDITING)
        return
    persona_id = state.data.get("persona_id")
    try:
        text = await _read(context, message.document)
        view, created = await context.services.brands.import_document(
            text, actor=actor(who), persona_id=persona_id
        )
    except FileRefused as refused:
        await send(context, who, f"⚠️ {refused}")
        return
    except ValidationFailed as error:
        name = escape(message.document.file_name or "the file")
        problems = bullet_list(error.problems)
        await send(
            context, who, f"⚠️ I couldn't read {name}:\n{problems}\nFix it and send it again."
        )
        return
    except NotFound as error:
        await send(context, who, f"⚠️ {escape(str(error))} Fix the file and send it again.")
        return
    await clear(context, who)
    await send(context, who, saved(view, "imported" if created else "replaced from the file"))
    await send(context, who, card(view), card_keyboard(view))


async def _read(context: BotContext, document: Document) -> str:
    data = await download(context, document, BRAND_FILES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            "The file is not UTF-8 text; save it as UTF-8 and send it again."
        ) from None
