"""The pipeline's runs as Telegram messages: one live status message per run, then the
candidates as a media group with a Pick message under them."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, InlineKeyboardMarkup, InputMediaPhoto, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.services import Services
from core.pipeline import Delivery, ImageView, PipelineService, RunProgress, RunView
from handlers import image_views as views
from handlers.image_keyboards import failed_keyboard, pick_keyboard, running_keyboard
from handlers.telegram_io import edit_html

log = logging.getLogger(__name__)


async def start_image_pipeline(services: Services, bot: Bot) -> None:
    """Called once the bot is up: runs report to Telegram, unfinished ones are picked up."""
    await services.pipeline.open(TelegramRunObserver(bot, services.pipeline))


class TelegramRunObserver:
    def __init__(self, bot: Bot, pipeline: PipelineService) -> None:
        self._bot = bot
        self._pipeline = pipeline
        # A status message sent anew (the old one was deleted) is used from then on.
        self._replaced: dict[int, int] = {}

    async def queued(self, run: RunView) -> None:
        await self._status(run, views.queued_text(run), running_keyboard(run.id))

    async def started(self, run: RunView) -> None:
        await self._status(run, views.started_text(run), running_keyboard(run.id))

    async def progress(self, run: RunView, progress: RunProgress) -> None:
        await self._status(run, views.progress_text(run, progress), running_keyboard(run.id))

    async def completed(self, run: RunView, images: Sequence[ImageView]) -> Delivery | None:
        await self._status(run, views.completed_text(run, len(images)), None)
        if run.chat_id is None:
            return None
        return await send_candidates(self._bot, self._pipeline, run, images, run.chat_id)

    async def failed(self, run: RunView) -> None:
        await self._status(run, views.failed_text(run), failed_keyboard(run.id))

    async def _status(self, run: RunView, text: str, markup: InlineKeyboardMarkup | None) -> None:
        """Edit the run's status message; send one when it has none (or it was deleted)."""
        if run.chat_id is None:
            return
        message_id = self._replaced.get(run.id, run.status_message_id)
        if message_id is not None:
            try:
                await edit_html(self._bot, run.chat_id, message_id, text, markup)
                return
            except BadRequest as error:
                log.info("status message of run %s gone (%s); sending a new one", run.id, error)
        message = await self._bot.send_message(
            run.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )
        self._replaced[run.id] = message.message_id
        await self._pipeline.set_status_message(run.id, message.message_id)


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
