"""The reply desk assembled as the bot assembles it, over a real database and SMTP server."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import SMTPSettings
from core.emaildesk.intake import EmailIntake
from core.emaildesk.replies import ReplyDesk
from core.emaildesk.reply_drafting import ReplyDrafting, ReplyUpdate
from core.emaildesk.reply_engine import ReplyEngine
from core.emaildesk.reply_sending import ReplySender
from core.emaildesk.reply_writer import ReplyWriter
from core.posts.crew_gate import CrewGate
from core.prompting.registry import PromptRegistry
from domain.emaildesk import EmailSource
from tests.doubles.fake_llm import FakeLLM

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"
START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@dataclass
class MovableClock:
    at: datetime = START

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@dataclass
class Shown:
    """A ReplyListener that keeps what it was told."""

    updates: list[ReplyUpdate] = field(default_factory=list)

    async def show(self, update: ReplyUpdate) -> None:
        self.updates.append(update)


@dataclass
class Desk:
    intake: EmailIntake
    drafting: ReplyDrafting
    desk: ReplyDesk
    sender: ReplySender
    engine: ReplyEngine
    llm: FakeLLM
    shown: Shown
    clock: MovableClock


async def desk_on(
    sessions: async_sessionmaker[AsyncSession],
    smtp: SMTPSettings,
    *,
    llm: FakeLLM | None = None,
    clock: MovableClock | None = None,
    owner: str = "worker-a",
    timeout_s: float = 5.0,
    hooked: bool = True,
    crew: CrewGate | None = None,
) -> Desk:
    """`hooked=False`: new emails are not drafted at once (a worker that died first);
    `crew`: the review crew, connected as bot/services.py connects it."""
    llm = llm or FakeLLM()
    clock = clock or MovableClock()
    prompts = await PromptRegistry.load(PROMPTS)
    writer = ReplyWriter(prompts, llm, "The Candle Shop team")
    drafting = ReplyDrafting(sessions, writer, clock, owner=owner, lease_s=120, crew=crew)
    desk = ReplyDesk(sessions, clock, sending_on=True, crew=crew)
    sender = ReplySender(sessions, smtp, clock, owner=owner, timeout_s=timeout_s,
                         retry_delays_s=(60.0, 300.0))  # fmt: skip
    engine = ReplyEngine(drafting, desk, sender)
    shown = Shown()
    engine.listen(shown)
    intake = EmailIntake(sessions, clock)
    if hooked:
        intake.on_received(engine.on_received)
    return Desk(intake, drafting, desk, sender, engine, llm, shown, clock)


EMAIL = {
    "from": "Ana Lima <ana@example.com>",
    "to": "help@shop.example",
    "subject": "Order A-1001 arrived broken",
    "text": "Hello, my candle arrived broken. What can you do?",
    "message_id": "<m2@mail.example.com>",
    "in_reply_to": "<m1@shop.example>",
}


async def receive(d: Desk, **overrides: object) -> int:
    received = await d.intake.receive_fields(
        {**EMAIL, **overrides}, source=EmailSource.API, source_ref=None
    )
    return received.id


def triage(kind: str = "complaint") -> dict[str, object]:
    return {"response_type": kind, "summary": "The candle arrived broken; wants a fix."}


def answer(**overrides: object) -> dict[str, object]:
    reply: dict[str, object] = {
        "response_type": "complaint",
        "summary": "The candle arrived broken; wants a fix.",
        "draft": "Dear Ana,\n\nI am sorry your candle arrived broken. We will check your "
        "order and come back to you.\n\nThe Candle Shop team",
        "tone": "apologetic",
        "confidence": 0.82,
        "needs_review": False,
        "suggested_actions": ["replacement", "check_order"],
        "facts": ["Order A-1001 status: shipped"],
    }
    reply.update(overrides)
    return reply
