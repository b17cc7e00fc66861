"""The Telegram side of publishing: the channel publisher and the admin alerter.

core.publishing defines the Publisher interface but can't import telegram; this module
implements it with PTB's Bot, and maps PTB's errors onto the dispatcher's policy: a 429
waits, a request that never left is retried, a request that may have arrived is unknown.
Which requests never left, the transport says (bot.adapters.telegram_http.RequestNotSent).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.adapters.telegram_http import RequestNotSent
from core.publishing.alerts import Alert
from core.publishing.errors import (
    OutcomeUnknown,
    PublishError,
    PublishRejected,
    RateLimited,
    TransientError,
)
from core.publishing.formats import channel_media, missing_image
from core.publishing.telegram_text import telegram_parts
from core.publishing.types import Progress, Publication

log = logging.getLogger(__name__)


def chat_id_of(address: str) -> int | str:
    """`-100123` → -100123; `@channel` stays a username."""
    return int(address) if address.lstrip("-").isdigit() else address


def classify(error: TelegramError) -> PublishError:
    """What a PTB error means for the failure policy (see core.publishing.sender)."""
    if isinstance(error, RetryAfter):
        wait = error.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return RateLimited(f"Telegram asked to wait {seconds:.0f} s (429).", seconds)
    if isinstance(error, BadRequest | Forbidden | InvalidToken | ChatMigrated | Conflict):
        return PublishRejected(f"Telegram refused it: {error.message}")
    if isinstance(error, RequestNotSent):  # refused, no DNS, no connection in time
        return TransientError(f"Telegram could not be reached ({error.message}).")
    if isinstance(error, TimedOut):
        return OutcomeUnknown("Telegram did not answer in time; the post may have gone out.")
    if isinstance(error, NetworkError) and error.__cause__ is None:
        return TransientError(f"Telegram had a problem: {error.message}")  # it answered 5xx
    return OutcomeUnknown(f"The connection broke while sending ({error.message}).")


class TelegramChannelPublisher:
    """A photo with its caption (≤ 1024), then the rest of a long text; or text alone.

    Which one the format says (core.publishing.formats): a media post whose image can't
    be sent is refused, never published as bare text.
    """

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def publish(self, publication: Publication, progress: Progress) -> None:
        media = channel_media(publication.format)
        photo = None if media == "text" else await self._photo(publication)
        if media == "photo" and photo is None and not progress.sent:
            raise missing_image(publication)
        # A resumed send whose photo went out earlier is cut the same way as the first time.
        with_photo = photo is not None or media == "photo"
        parts = telegram_parts(publication.caption, publication.hashtags, photo=with_photo)
        chat_id = chat_id_of(publication.target.address)
        for index, part in enumerate(parts):
            if index < len(progress.sent):
                continue  # delivered by an earlier attempt
            try:
                message = await self._send(chat_id, part, photo if index == 0 else None)
            except TelegramError as error:
                raise classify(error) from error
            progress.sent.append(str(message.message_id))

    async def _photo(self, publication: Publication) -> str | bytes | None:
        """Telegram's file_id when the image was uploaded once, else the file, else none."""
        image = publication.image
        if image is None:
            return None
        if image.file_id:
            return image.file_id
        if image.path is not None:
            try:
                return await asyncio.to_thread(image.path.read_bytes)
            except OSError:
                log.warning("image file is gone", extra={"post": publication.post_id})
        return None

    async def _send(self, chat_id: int | str, html: str, photo: str | bytes | None) -> Message:
        if photo is not None:
            return await self._bot.send_photo(
                chat_id, photo, caption=html or None, parse_mode=ParseMode.HTML
            )
        return await self._bot.send_message(chat_id, html, parse_mode=ParseMode.HTML)


AlertMessage = Callable[[Alert], tuple[str, InlineKeyboardMarkup | None]]


class TelegramAlerter:
    """Tells every admin, with the buttons to settle it. One admin reached is enough."""

    def __init__(self, bot: Bot, admin_ids: Collection[int], render: AlertMessage) -> None:
        self._bot = bot
        self._admins = sorted(admin_ids)
        self._render = render  # the words and buttons: the schedule feature's, handed in

    async def send(self, alert: Alert) -> None:
        text, markup = self._render(alert)
        if not await tell_admins(self._bot, self._admins, text, markup):
            raise RuntimeError(f"no admin could be told about post #{alert.post_id}")


async def tell_admins(
    bot: Bot, admins: Collection[int], text: str, markup: InlineKeyboardMarkup | None
) -> int:
    """Send `text` to every admin; how many were reached (one is enough to count as told)."""
    reached = 0
    for admin in admins:
        try:
            await bot.send_message(admin, text, parse_mode=ParseMode.HTML, reply_markup=markup)
            reached += 1
        except TelegramError as error:
            log.warning("could not alert admin %s: %s", admin, error)
    return reached
