"""The pipeline's runs as Telegram messages: what each run event reads like, then the
candidates as a media group with a Pick message under them.

bot/adapters/image_runs.TelegramRunObserver sends these; it is handed RUN_MESSAGES by the
composition root rather than importing this feature.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup, InputMediaPhoto, Message
from telegram.constants import ParseMode

from core.pipeline import Delivery, ImageView, PipelineService, RunProgress, RunView
from handlers.images import views
from handlers.images.keyboards import failed_keyboard, pick_keyboard, running_keyboard

Screen = tuple[str, InlineKeyboardMarkup | None]


class RunMessages:
    """A run's status message at each event, and the delivery of its candidates."""

    def queued(self, run: RunView) -> Screen:
        return views.queued_text(run), running_keyboard(run.id)

    def started(self, run: RunView) -> Screen:
        return views.started_text(run), running_keyboard(run.id)

    def progress(self, run: RunView, progress: RunProgress) -> Screen:
        return views.progress_text(run, progress), running_keyboard(run.id)

    def completed(self, run: RunView, count: int) -> Screen:
        return views.completed_text(run, count), None

    def failed(self, run: RunView) -> Screen:
        return views.failed_text(run), failed_keyboard(run.id)

    async def deliver(
        self, bot: Bot, pipeline: PipelineService, run: RunView, images: Sequence[ImageView],
        chat_id: int,
    ) -> Delivery:  # fmt: skip
        return await send_candidates(bot, pipeline, run, images, chat_id)


RUN_MESSAGES = RunMessages()


async def send_candidates(
    bot: Bot, pipeline: PipelineService, run: RunView, images: Sequence[ImageView], chat_id: int
) -> Delivery:
    """The photos (one, or a media group of 2-10), then the Pick message under them."""
    sent = await _send_photos(bot, pipeline, run, images, chat_id)
    file_ids = {
        image.position: message.photo[-1].file_id
        for image, message in zip(images, sent, strict=False)
        if message.photo
    }
    pick = await bot.send_message(
        chat_id, views.pick_text(run, len(images)), parse_mode=ParseMode.HTML,
        reply_markup=pick_keyboard(run.id, len(images)),
    )  # fmt: skip
    return Delivery(pick_message_id=pick.message_id, file_ids=file_ids)


async def _send_photos(
    bot: Bot, pipeline: PipelineService, run: RunView, images: Sequence[ImageView], chat_id: int
) -> Sequence[Message]:
    caption = views.caption(run, len(images))
    sources = [await _source(pipeline, image) for image in images]
    if len(sources) == 1:
        return [await bot.send_photo(chat_id, sources[0], caption=caption)]
    media = [
        InputMediaPhoto(source, caption=caption if n == 0 else None)
        for n, source in enumerate(sources)
    ]
    return await bot.send_media_group(chat_id, media)


async def _source(pipeline: PipelineService, image: ImageView) -> str | bytes:
    """Telegram's copy when it has one (no upload), else the file from disk."""
    return image.file_id or await pipeline.image_bytes(image)
