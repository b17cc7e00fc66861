"""The image-run observer: core's pipeline reports each run as one live Telegram message.

The words and buttons are the images feature's (handlers/images/delivery.RunMessages),
handed in by the composition root; this adapter owns the sending and the bookkeeping.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.services import Services
from core.pipeline import Delivery, ImageView, PipelineService, RunProgress, RunView
from handlers.common.telegram_io import edit_html

log = logging.getLogger(__name__)

Screen = tuple[str, InlineKeyboardMarkup | None]


class RunMessages(Protocol):
    def queued(self, run: RunView) -> Screen: ...
    def started(self, run: RunView) -> Screen: ...
    def progress(self, run: RunView, progress: RunProgress) -> Screen: ...
    def completed(self, run: RunView, count: int) -> Screen: ...
    def failed(self, run: RunView) -> Screen: ...
    async def deliver(
        self, bot: Bot, pipeline: PipelineService, run: RunView, images: Sequence[ImageView],
        chat_id: int,
    ) -> Delivery: ...  # fmt: skip


async def start_image_pipeline(services: Services, bot: Bot, messages: RunMessages) -> None:
    """Called once the bot is up: runs report to Telegram, unfinished ones are picked up."""
    await services.pipeline.open(TelegramRunObserver(bot, services.pipeline, messages))


class TelegramRunObserver:
    def __init__(self, bot: Bot, pipeline: PipelineService, messages: RunMessages) -> None:
        self._bot = bot
        self._pipeline = pipeline
        self._messages = messages
        # A status message sent anew (the old one was deleted) is used from then on.
        self._replaced: dict[int, int] = {}

    async def queued(self, run: RunView) -> None:
        await self._status(run, *self._messages.queued(run))

    async def started(self, run: RunView) -> None:
        await self._status(run, *self._messages.started(run))

    async def progress(self, run: RunView, progress: RunProgress) -> None:
        await self._status(run, *self._messages.progress(run, progress))

    async def completed(self, run: RunView, images: Sequence[ImageView]) -> Delivery | None:
        await self._status(run, *self._messages.completed(run, len(images)))
        if run.chat_id is None:
            return None
        return await self._messages.deliver(self._bot, self._pipeline, run, images, run.chat_id)

    async def failed(self, run: RunView) -> None:
        await self._status(run, *self._messages.failed(run))

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
