"""/flow: an SMS flow from a plain description, with its diagram, its JSON, a walk through
it as a simulated customer, approval with versions, and the approved JSON's export."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common import text_router
from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern
from handlers.flow import command
from handlers.flow.buttons import EDIT_STATE
from handlers.flow.keyboards import KIND


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("flow", command.flow),
            CallbackQueryHandler(command.on_button, pattern=pattern(KIND)),
        ]
    )
    text_router.wait_for(app, EDIT_STATE, command.on_text)
