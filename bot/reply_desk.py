"""The reply desk assembled and started: drafts for customer emails, sends once approved.

`build_reply_engine` makes the core pieces from settings; `start_reply_desk` connects
them to the world once the bot is up: the intake's hook wakes the engine for each new
email, the Telegram cards listen to it, and APScheduler runs its sweep (at once, for
what came in while the bot was down, then every few seconds).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings
from core.clock import Clock
from core.emaildesk.intake import EmailIntake
from core.emaildesk.replies import ReplyDesk
from core.emaildesk.reply_drafting import ReplyDrafting
from core.emaildesk.reply_engine import ReplyEngine
from core.emaildesk.reply_sending import ReplySender
from core.emaildesk.reply_writer import ReplyWriter, signature_of
from core.memory.record import MemoryRecorder
from core.posts.crew_gate import CrewGate
from core.suggestions.ports import PromptRenderer, StructuredLLM
from handlers.common.context import BotApplication
from handlers.replies.cards import ReplyCards

SWEEP_EVERY_S = 15
# Two model calls (sort, write), each perhaps re-asked: the claim outlasts them.
LLM_CALLS_PER_DRAFT = 4


def build_reply_engine(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    prompts: PromptRenderer,
    llm: StructuredLLM,
    clock: Clock,
    crew: CrewGate | None = None,
    memory: MemoryRecorder | None = None,
) -> ReplyEngine:
    owner = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    smtp = settings.smtp
    writer = ReplyWriter(prompts, llm, signature_of(smtp.email_from))
    lease_s = settings.llm.timeout_s * LLM_CALLS_PER_DRAFT + 30
    drafting = ReplyDrafting(sessions, writer, clock, owner=owner, lease_s=lease_s, crew=crew)
    sending_on = bool(smtp.host and smtp.email_from)
    desk = ReplyDesk(sessions, clock, sending_on=sending_on, crew=crew, memory=memory)
    # One send's timeout is the one posts and sequence emails use (PUBLISH_SEND_TIMEOUT_S).
    timeout_s = settings.app.publish_send_timeout_s
    sender = ReplySender(sessions, smtp, clock, owner=owner, timeout_s=timeout_s)
    return ReplyEngine(drafting, desk, sender)


def start_reply_desk(
    scheduler: AsyncIOScheduler,
    engine: ReplyEngine,
    intake: EmailIntake,
    application: BotApplication,
    settings: Settings,
) -> None:
    """Hook the engine to the intake and the admins' cards, and schedule its sweep.

    The cards get the application, not just its bot: a new draft's card follows the
    review crew's progress in a background task of the application's."""
    admins, tz = settings.access.admin_user_ids, settings.app.tz
    engine.listen(ReplyCards(application, engine.desk, admins, tz))
    intake.on_received(engine.on_received)
    intake.on_reply_bounced(engine.on_reply_bounced)
    scheduler.add_job(
        engine.sweep, "interval", seconds=SWEEP_EVERY_S, id="reply-desk-sweep",
        coalesce=True, max_instances=1, next_run_time=datetime.now(UTC),
    )  # fmt: skip
