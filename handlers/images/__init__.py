"""/images, /campaignimages, /pickimage: image runs, their buttons and the edited prompt."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common import text_router
from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern
from handlers.images import buttons, command, keyboards


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("images", command.images_command),
            CommandHandler("campaignimages", command.campaign_images),
            CommandHandler("pickimage", command.pick_image),
            CallbackQueryHandler(buttons.on_image_button, pattern=pattern(keyboards.KIND)),
        ]
    )
    text_router.wait_for(app, command.EDITING_PROMPT, command.on_prompt_reply)
