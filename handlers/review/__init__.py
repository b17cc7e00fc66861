"""/approve: the review queue of suggestions and posts, and the buttons on their cards."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.common import text_router
from handlers.common.context import BotApplication
from handlers.common.keyboards import PAGE, QUEUE, SUGGESTION, pattern
from handlers.review import post_regenerate, post_views, posts, suggestions


def register(app: BotApplication) -> None:
    app.add_handlers(
        [
            CommandHandler("approve", suggestions.approve_queue),
            # 🔄 Regenerate first: the other post buttons share its kind.
            CallbackQueryHandler(
                post_regenerate.on_button, pattern=pattern(post_views.KIND, post_regenerate.ACTION)
            ),
            CallbackQueryHandler(posts.on_button, pattern=pattern(post_views.KIND)),
            CallbackQueryHandler(suggestions.on_suggestion_button, pattern=pattern(SUGGESTION)),
            CallbackQueryHandler(suggestions.page, pattern=pattern(QUEUE, PAGE)),
        ]
    )
    text_router.wait_for(app, suggestions.EDITING, suggestions.on_text)
    text_router.wait_for_prefix(app, posts.PREFIX, posts.on_text)
