"""Reply drafts to customer emails: the cards, their buttons, and the /approve section.

The drafts come from core.emaildesk's engine (woken by the intake); this feature shows
them to the admins and turns their taps into decisions.
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler

from handlers.common import text_router
from handlers.common.context import BotApplication
from handlers.common.keyboards import pattern
from handlers.common.review_sections import ReviewSection, add_section
from handlers.replies import buttons, edit, keyboards, section


def register(app: BotApplication) -> None:
    app.add_handler(CallbackQueryHandler(buttons.on_button, pattern=pattern(keyboards.KIND)))
    text_router.wait_for(app, buttons.EDITING, edit.on_text)
    add_section(app, ReviewSection(section.NAME, section.waiting, section.show))
