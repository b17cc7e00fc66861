"""/schedule: what goes out when, the buttons on publishing cards and alerts, new times."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common import text_router
from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern
from handlers.schedule import command, keyboards, time_reply


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("schedule", command.schedule_command),
            CallbackQueryHandler(command.on_button, pattern=pattern(keyboards.KIND)),
        ]
    )
    text_router.wait_for(app, time_reply.ASKING_TIME, time_reply.on_time_text)
