"""Runs the bot, the web server and the scheduler on one event loop until SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from dataclasses import dataclass
from functools import partial

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from telegram import Update

from bot.adapters.held_alerts import TelegramHeldAlerter
from bot.adapters.image_runs import start_image_pipeline
from bot.app import build_application, post_init, post_shutdown
from bot.assembly import open_services
from bot.crew_jobs import start_crew, stop_crew
from bot.housekeeping import schedule_housekeeping
from bot.memory_jobs import start_memory
from bot.reply_desk import start_reply_desk
from bot.review_cards import TelegramReviewCards
from bot.sequence_jobs import schedule_sequences
from bot.services import Services
from bot.settings import ConfigError, Settings
from bot.support_inbox import start_support_inbox
from bot.web import build_web_app, replay_inbox
from core.clock import Clock
from core.emaildesk.inbox_poller import InboxPoller
from core.llm.provider import load_litellm
from core.llm.readiness import AI_FEATURES, model_problems
from handlers.common.context import BotApplication
from handlers.images.delivery import RUN_MESSAGES
from handlers.sequence.alerts import held_message

log = logging.getLogger(__name__)


@dataclass
class RunningBot:
    services: Services
    application: BotApplication
    site_runner: web.AppRunner
    scheduler: AsyncIOScheduler
    inbox: InboxPoller | None = None  # the support inbox's poller, when IMAP_HOST is set

    async def stop(self) -> None:
        """Stop taking work, finish what is in flight, then close the shared clients."""
        log.info("stopping: finishing in-flight updates")
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self.inbox is not None:
            await self.inbox.stop()  # a mail half handed over is read again next time
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        # No new webhook deliveries from here; what is stored but unfinished is
        # replayed at the next start.
        await self.site_runner.cleanup()
        if self.application.running:
            await self.application.stop()  # waits for in-flight updates and their tasks
        # Image runs are cancelled here, not finished: the next start reconciles them.
        await self.services.pipeline.close()
        # Sends on the wire finish; claimed posts not sent yet are handed back.
        await self.services.publishing.stop()
        await self.services.reply_engine.stop()  # a send on the wire finishes
        await stop_crew(self.services)  # reviews cut off are run again at the next start
        await self.application.shutdown()
        # A start-up that failed in initialize() (getMe) left the application
        # uninitialised, so shutdown() skipped the bot: its HTTP sessions close here.
        await self.application.bot.shutdown()
        await post_shutdown(self.application)
        gc.unfreeze()  # what the warm-up froze is the collector's again (see _warm_up)
        log.info("stopped")


async def start(settings: Settings, *, clock: Clock | None = None) -> RunningBot:
    services = await open_services(settings, clock=clock)
    application = build_application(services)
    site_runner = web.AppRunner(build_web_app(services, application))
    await site_runner.setup()
    bot = RunningBot(services, application, site_runner, AsyncIOScheduler(timezone="UTC"))
    try:
        await _listen(site_runner, settings)
        await application.initialize()
        await start_image_pipeline(services, application.bot, RUN_MESSAGES)
        await _start_bot(application, services)
        schedule_housekeeping(bot.scheduler, services)
        start_reply_desk(
            bot.scheduler, services.reply_engine, services.email_intake, application, settings
        )
        # A decision made in the Mini App redraws the chat's cards of the item.
        services.review_queue.show_in(TelegramReviewCards(application))
        admins = settings.access.admin_user_ids
        render = partial(held_message, tz=settings.app.tz)
        services.held_alerter = TelegramHeldAlerter(application.bot, admins, render)
        schedule_sequences(bot.scheduler, services)
        start_crew(bot.scheduler, services)
        await start_memory(bot.scheduler, services)
        bot.inbox = start_support_inbox(services, application.bot)
        await services.publishing.start(bot.scheduler)
        bot.scheduler.start()
    except BaseException:
        await bot.stop()
        raise
    log.info("bot running", extra={"mode": settings.mode.bot_mode})
    return bot


async def _listen(site_runner: web.AppRunner, settings: Settings) -> None:
    host, port = settings.web.host, settings.web.port
    try:
        await web.TCPSite(site_runner, host, port).start()
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise ConfigError(
            f"WEB_HOST/WEB_PORT: can't listen on {host}:{port}: {error.strerror or error}"
        ) from None


async def run(settings: Settings, stop: asyncio.Event | None = None) -> None:
    stop = stop or _stop_on_signals()
    bot = await start(settings)
    try:
        await stop.wait()
    finally:
        await bot.stop()


async def _start_bot(application: BotApplication, services: Services) -> None:
    await post_init(application)
    await application.start()
    # litellm takes seconds to import: do it in a worker thread once the bot is up,
    # so neither start-up nor the first /start waits for it.
    application.create_task(_warm_up(services), name="llm-warm-up")
    settings = services.settings
    if settings.mode.bot_mode == "polling":
        assert application.updater is not None
        await application.bot.delete_webhook()
        await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        return
    assert settings.mode.webhook_url is not None and settings.telegram.webhook_secret is not None
    await application.bot.set_webhook(
        str(settings.mode.webhook_url),
        secret_token=settings.telegram.webhook_secret.get_secret_value(),
        allowed_updates=Update.ALL_TYPES,
    )
    await replay_inbox(services, application)


async def _warm_up(services: Services) -> None:
    await services.llm.warm_up()
    _warn_about_models(services.settings)
    # What is alive now (litellm's ~400,000 objects above all) lives as long as the
    # process. Frozen, it is out of the cycle collector's sight: a full collection walked
    # it all and blocked the event loop for ~250 ms each time; now it takes under 1 ms.
    # (Reference counting still frees these objects; only cycles among them would wait
    # for stop() to unfreeze them.) application.stop() waits for this task.
    gc.freeze()


def _warn_about_models(settings: Settings) -> None:
    """What would make AI writing fail, said now and not at someone's first /suggest."""
    if settings.llm.model is None:
        log.warning("LLM_MODEL is not set: %s is off", AI_FEATURES)
    for problem in model_problems(settings.llm, load_litellm()):  # imported by the warm-up
        log.warning(problem.line)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
