"""Builds the python-telegram-bot Application and registers handlers in one ordered list."""

from __future__ import annotations

import logging
from collections.abc import Callable

from telegram import BotCommand, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    TypeHandler,
)

import handlers.brand
import handlers.campaign
import handlers.dashboard
import handlers.email
import handlers.engagement
import handlers.flow
import handlers.images
import handlers.memory
import handlers.orders
import handlers.persona
import handlers.prompts
import handlers.replies
import handlers.report
import handlers.review
import handlers.schedule
import handlers.sequence
import handlers.start
import handlers.suggest
import handlers.usage
import handlers.write
from bot.adapters.telegram_http import AiohttpRequest
from bot.adapters.telegram_ratelimit import ReplyAwareRateLimiter
from bot.errors import on_error
from bot.miniapp.menu import set_admin_menu_buttons
from bot.processor import AfterUpdate, PerChatUpdateProcessor
from bot.services import Services
from handlers.common import document_router, text_router
from handlers.common.access import admins_only
from handlers.common.context import CONTEXT_TYPES, BotApplication, BotContext
from handlers.common.refusals import refuse
from handlers.common.services import HandlerServices
from handlers.review import interrupted
from handlers.start.command import COMMANDS
from storage.repos import inbox

log = logging.getLogger(__name__)

FEATURES: tuple[Callable[[BotApplication], None], ...] = (
    handlers.start.register,
    handlers.suggest.register,
    handlers.review.register,
    handlers.images.register,
    handlers.persona.register,
    handlers.brand.register,
    handlers.campaign.register,
    handlers.schedule.register,
    handlers.replies.register,
    handlers.email.register,
    handlers.orders.register,
    handlers.sequence.register,
    handlers.write.register,
    handlers.flow.register,
    handlers.usage.register,
    handlers.report.register,
    handlers.prompts.register,
    handlers.memory.register,
    handlers.dashboard.register,
    handlers.engagement.register,
)


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
    handler_services: HandlerServices = services  # mypy: Services is what handlers expect
    application.bot_data["services"] = handler_services
    register_handlers(application)
    return application


def register_handlers(application: BotApplication) -> None:
    """Order matters: the access check runs first and stops everything else for strangers.

    Each feature declares its commands, buttons and the text it waits for; a new feature
    adds one line here. Buttons nobody claimed get "no longer valid"; plain text goes to
    the one text router.
    """
    application.add_handler(TypeHandler(Update, admins_only), group=-1)
    for register in FEATURES:
        register(application)
    application.add_handler(CallbackQueryHandler(_stale_button))
    text_router.register(application)
    document_router.register(application)
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
    commands = [BotCommand(name, description) for name, description in COMMANDS]
    await application.bot.set_my_commands(commands)
    services: Services = application.bot_data["services"]
    settings = services.settings
    # The admins' menu button opens the dashboard (when PUBLIC_BASE_URL is https).
    await set_admin_menu_buttons(
        application.bot, settings.access.admin_user_ids, settings.app.public_base_url
    )
    # Before the first update: a card a restart left on "Writing…" gets its buttons back.
    await interrupted.restore_cards(application)


async def post_shutdown(application: BotApplication) -> None:
    services: Services = application.bot_data["services"]
    await services.engine.dispose()
