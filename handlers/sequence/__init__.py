"""/sequence: AI-written email sequences — create one in six steps, see each one's emails
and send log, and review its emails in /approve."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common import document_router, text_router
from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern
from handlers.sequence import command, deliveries, keyboards, recipients, review, steps


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("sequence", command.sequence),
            CallbackQueryHandler(command.on_button, pattern=pattern(keyboards.KIND)),
            CallbackQueryHandler(command.on_email_button, pattern=pattern(keyboards.EMAIL_KIND)),
            CallbackQueryHandler(deliveries.on_button, pattern=pattern(deliveries.KIND)),
        ]
    )
    text_router.wait_for_prefix(app, steps.PREFIX, command.on_text)
    document_router.wait_for_document(app, steps.PREFIX, recipients.on_document)
    review.register(app)
