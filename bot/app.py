"""Builds the python-telegram-bot Application and registers handlers in one ordered list."""

from __future__ import annotations

import logging

from telegram import BotCommand, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import CONTEXT_TYPES, BotApplication, BotContext
from bot.errors import on_error
from bot.processor import AfterUpdate, PerChatUpdateProcessor
from bot.ratelimit import ReplyAwareRateLimiter
from bot.services import Services
from bot.telegram_http import AiohttpRequest
from handlers import (
    campaign,
    common,
    image_buttons,
    images,
    interrupted,
    persona,
    persona_upload,
    post_regenerate,
    post_review,
    review,
    schedule,
    suggest,
)
from handlers.access import admins_only
from handlers.refusals import refuse
from storage.repos import inbox

log = logging.getLogger(__name__)


def build_application(services: Services) -> BotApplication:
    settings = services.settings
    builder = (
        ApplicationBuilder()
        .token(settings.telegram.bot_token.get_secret_value())
        .base_url(settings.telegram.api_base_url)
        .base_file_url(settings.telegram.file_base_url)
        .context_types(CONTEXT_TYPES)
        # aiohttp's client instead of PTB's httpx default: a fraction of the CPU per call.
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest())
        .concurrent_updates(PerChatUpdateProcessor(after=_after_update(services)))
        # Honours retry_after on 429 and paces sends under Telegram's flood limits.
        .rate_limiter(ReplyAwareRateLimiter(max_retries=3))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.mode.bot_mode == "webhook":
        builder = builder.updater(None)  # updates arrive through our aiohttp route
    application: BotApplication = builder.build()  # type: ignore[assignment]
    application.bot_data["services"] = services
    register_handlers(application)
    return application


def register_handlers(application: BotApplication) -> None:
    """Order matters: the access check runs first and stops everything else for strangers."""
    application.add_handler(TypeHandler(Update, admins_only), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", common.start),
            CommandHandler("help", common.help_command),
            CommandHandler("cancel", common.cancel),
            CommandHandler("suggest", suggest.suggest),
            CommandHandler("approve", review.approve_queue),
            CommandHandler("images", images.images_command),
            CommandHandler("campaignimages", images.campaign_images),
            CommandHandler("pickimage", images.pick_image),
            CommandHandler("persona", persona.persona),
            CommandHandler("campaign", campaign.campaign),
            CommandHandler("schedule", schedule.schedule_command),
            CallbackQueryHandler(campaign.on_button, pattern=r"^cmp:"),
            CallbackQueryHandler(persona.on_button, pattern=r"^per:"),
            CallbackQueryHandler(post_regenerate.on_button, pattern=r"^pst:rg:"),
            CallbackQueryHandler(post_review.on_button, pattern=r"^pst:"),
            CallbackQueryHandler(image_buttons.on_image_button, pattern=r"^img:"),
            CallbackQueryHandler(schedule.on_button, pattern=r"^pb:"),
            CallbackQueryHandler(review.on_suggestion_button, pattern=r"^s:"),
            CallbackQueryHandler(suggest.retry_suggest, pattern=r"^retry:suggest:"),
            CallbackQueryHandler(review.page, pattern=r"^q:page:"),
            CallbackQueryHandler(_stale_button),
            MessageHandler(filters.TEXT & ~filters.COMMAND, review.on_text),
            MessageHandler(filters.Document.ALL, persona_upload.on_document),
        ]
    )
    application.add_error_handler(on_error)


async def _stale_button(update: Update, context: BotContext) -> None:
    # Every callback query is answered, even one from a button we no longer know.
    assert update.callback_query is not None
    await refuse(update.callback_query, context, "invalid")


def _after_update(services: Services) -> AfterUpdate:
    metrics = services.metrics

    async def after(update: Update, elapsed_s: float) -> None:
        kind = "callback" if update.callback_query else "message"
        metrics.updates_handled.labels(kind=kind).inc()
        metrics.handler_latency.observe(elapsed_s)
        if services.settings.mode.bot_mode == "webhook":
            async with services.sessions.begin() as session:
                await inbox.mark_processed(session, update.update_id, services.clock.now())

    return after


async def post_init(application: BotApplication) -> None:
    commands = [BotCommand(name, description) for name, description in common.COMMANDS]
    await application.bot.set_my_commands(commands)
    # Before the first update: a card a restart left on "Writing…" gets its buttons back.
    await interrupted.restore_cards(application)


async def post_shutdown(application: BotApplication) -> None:
    services: Services = application.bot_data["services"]
    await services.engine.dispose()
