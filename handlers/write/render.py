"""A piece of content's message: its text and its buttons, for whatever state it is in."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from core.content.views import ContentView
from core.errors import NotFound
from domain.content import ContentStatus
from handlers.common.context import BotContext
from handlers.write.keyboards import failed_keyboard, progress_keyboard, result_keyboard
from handlers.write.views import result_text


async def text_for(context: BotContext, view: ContentView) -> str:
    return result_text(view, threshold=await _threshold(context, view))


def markup_for(view: ContentView) -> InlineKeyboardMarkup | None:
    if view.status == ContentStatus.PROCESSING:
        return progress_keyboard(view.id)
    if view.status == ContentStatus.FAILED:
        return failed_keyboard(view.id) if view.retry_id is None else None
    return result_keyboard(view.id, post_id=view.post_id)


async def _threshold(context: BotContext, view: ContentView) -> int | None:
    """The brand's quality bar, as the brand is now (None: no brand, or it is gone)."""
    if view.brand_id is None or view.status != ContentStatus.COMPLETED:
        return None
    try:
        brand = await context.services.brands.get(view.brand_id)
    except NotFound:
        return None
    return brand.guidelines.quality_threshold
