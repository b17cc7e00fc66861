"""Benchmark 1: button taps per second through the whole stack, against a bare PTB bot.

    python bench/bench_taps.py [--taps 150] [--rounds 5] [--chats 10]

Ours: the full bot from `bot.runner.start` (SQLite file, PerChatUpdateProcessor,
AIORateLimiter, metrics, the real handlers), with N pending suggestions created through
the SuggestionService (a fake LLM writes them) and their cards in the Telegram double.
Then N Reject taps on distinct cards are queued at once; each does the conditional
UPDATE, answerCallbackQuery and editMessageText. The time runs from the moment all N are
queued to the last editMessageText arriving at the double.

Baseline: a bare PTB Application (bench/bare_ptb_bot.py, PTB's defaults) polling its own
double of the same kind, whose button handler answers the query and edits the message.
All bots and doubles share this process and event loop, so each figure includes the
double's own cost; the rounds interleave the bots so machine noise hits all of them.

Ours talks to Telegram through aiohttp's client (bot/adapters/telegram_http.py); the baseline
keeps PTB's default, httpx.

--diagnose adds five bots that attribute the gap (not part of the verdict): ours with
the AIORateLimiter's pacing off (its retry-on-429 kept); ours answering Reject from
memory instead of storing the decision (what the database round trip costs); the bare
bot sending and editing our HTML card and keyboard (our payload, without our stack);
the bare bot with our AIORateLimiter; and the bare bot on our aiohttp transport (what
the transport alone is worth).

Target: median taps/s ours / median taps/s bare >= 0.5.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo root: bot/, tests/

from sqlalchemy import func, select
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter
from telegram.request import HTTPXRequest

import bot.app
from bench import bare_ptb_bot
from bench.spine import ADMIN, CallWatcher, header, remove_tree, table, verdict
from bot.runner import RunningBot, start
from core.config import AccessSettings
from core.suggestions.models import SuggestionDraft, SuggestionView
from core.suggestions.service import SuggestionService
from handlers.common.keyboards import SUGGESTION, CallbackKey, suggestion_keyboard
from handlers.common.views import suggestion_card
from storage.models import Suggestion
from tests.doubles.fake_llm import FakeLLM, suggestion_answer
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import make_settings

TARGET_RATIO = 0.5
ROUND_TIMEOUT_S = 90.0
WARM_UP_TAPS = 20


@dataclass(frozen=True)
class Card:
    """A bot message with a button, and the callback_data a tap on it carries."""

    chat_id: int
    message_id: int
    data: str


@dataclass
class Subject:
    """One bot under test, polling its own double."""

    name: str
    api: TelegramApiDouble
    make_cards: Callable[[int], Awaitable[list[Card]]]
    check: Callable[[list[Card]], Awaitable[None]]
    close: Callable[[], Awaitable[None]]
    rates: list[float] = dataclasses.field(default_factory=list)


def card_sender(api: TelegramApiDouble) -> Bot:
    """A plain Bot (no rate limiter) that puts the cards into the double before a round."""
    request = HTTPXRequest(connection_pool_size=32)
    return Bot(api.token, base_url=api.base_url, base_file_url=api.file_base_url, request=request)


async def send_all(sender: Bot, sends: list[tuple[int, str, InlineKeyboardMarkup]]) -> list[int]:
    """Send the cards 32 at a time; their message ids in order."""
    ids: list[int] = []
    for first in range(0, len(sends), 32):
        batch = sends[first : first + 32]
        sent = await asyncio.gather(
            *(
                sender.send_message(c, t, parse_mode=ParseMode.HTML, reply_markup=m)
                for c, t, m in batch
            )
        )
        ids += [m.message_id for m in sent]
    return ids


async def open_ours(
    chats: list[int], data_dir: Path, *, paced: bool = True, store: bool = True
) -> Subject:
    api, llm = TelegramApiDouble(), FakeLLMServer()
    await api.start()
    await llm.start()  # only so the settings have a model; no round calls it
    settings = make_settings(api, llm, data_dir)
    access = AccessSettings(_env_file=None, admin_user_ids=frozenset(chats))
    # As shipped (paced=True), or with no pacing at all, to show what pacing costs.
    if paced:
        running = await start(dataclasses.replace(settings, access=access))
    else:
        with mock.patch.object(bot.app, "ReplyAwareRateLimiter", _unpaced_limiter):
            running = await start(dataclasses.replace(settings, access=access))
    await api.wait_for("getUpdates", timeout=10)
    sender = card_sender(api)
    await sender.initialize()
    decided: dict[int, SuggestionView] = {}
    if not store:  # the decision's answer is precomputed: what the database round trip costs
        _answer_without_storing(running, decided)

    async def make_cards(count: int) -> list[Card]:
        return await _seed_suggestions(running, sender, chats, count, decided)

    async def check(cards: list[Card]) -> None:
        if store:
            await _check_rejected(running, cards)

    async def close() -> None:
        await sender.shutdown()
        await running.stop()
        await llm.stop()
        await api.stop()

    name = "ours (full stack)" if paced else "diag: ours, rate-limiter pacing off"
    if not store:
        name = "diag: ours, decision not stored"
    return Subject(name, api, make_cards, check, close)


def _answer_without_storing(running: RunningBot, decided: dict[int, SuggestionView]) -> None:
    """This bot's Reject answers from memory (only its own service instance is changed)."""

    async def reject(suggestion_id: int, revision: int, user_id: int) -> SuggestionView:
        return decided[suggestion_id]

    running.services.suggestions.reject = reject  # type: ignore[method-assign]


def _unpaced_limiter(max_retries: int = 0) -> AIORateLimiter:
    """Our AIORateLimiter without its 30 requests/s pacing (it still retries 429s)."""
    return AIORateLimiter(overall_max_rate=0, group_max_rate=0, max_retries=max_retries)


async def _seed_suggestions(
    running: RunningBot,
    sender: Bot,
    chats: list[int],
    count: int,
    decided: dict[int, SuggestionView],
) -> list[Card]:
    """Pending suggestions made by the real service (a fake LLM answers), cards as /suggest
    would send them, spread over the chats."""
    services = running.services
    fake = FakeLLM()
    fake.queue(*(suggestion_answer(title=f"Idea {n}") for n in range(count)))
    tz = services.settings.app.tz
    service = SuggestionService(services.sessions, services.prompts, fake, services.clock, tz)
    sends, keys = [], []
    for n in range(count):
        chat = chats[n % len(chats)]
        view = await service.generate(chat_id=chat, user_id=chat)
        decided[view.id] = dataclasses.replace(view, status="rejected")
        sends.append((chat, suggestion_card(view, tz), suggestion_keyboard(view.id, view.revision)))
        keys.append(CallbackKey(SUGGESTION, "rj", view.id, view.revision).encode())
    ids = await send_all(sender, sends)
    return [Card(chat, mid, key) for (chat, _, _), mid, key in zip(sends, ids, keys, strict=True)]


async def _check_rejected(running: RunningBot, cards: list[Card]) -> None:
    """Every tap really did its work: all N suggestions are rejected in the database."""
    ids = [int(c.data.split(":")[2]) for c in cards]
    query = select(func.count()).where(Suggestion.id.in_(ids), Suggestion.status == "rejected")
    async with running.services.sessions() as session:
        rejected = (await session.execute(query)).scalar_one()
    if rejected != len(cards):
        raise AssertionError(f"only {rejected} of {len(cards)} suggestions were rejected")


async def open_bare(
    chats: list[int],
    *,
    rate_limited: bool = False,
    our_payload: bool = False,
    our_transport: bool = False,
) -> Subject:
    api = TelegramApiDouble()
    await api.start()
    pending, rejected = our_cards()
    application = bare_ptb_bot.build(
        api.token,
        api.base_url,
        api.file_base_url,
        rate_limited=rate_limited,
        edit_html=rejected if our_payload else None,
        aiohttp_transport=our_transport,
    )
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling()
    await api.wait_for("getUpdates", timeout=10)
    sender = card_sender(api)
    await sender.initialize()
    serial = itertools.count(1)

    def card(n: int) -> tuple[str, InlineKeyboardMarkup, str]:
        if our_payload:  # the same card and keyboard ours sends, so the same bytes move
            key = CallbackKey(SUGGESTION, "rj", n, 1).encode()
            return pending, suggestion_keyboard(n, 1), key
        return f"Card {n}", _reject_button(f"rj:{n}"), f"rj:{n}"

    async def make_cards(count: int) -> list[Card]:
        cards = [card(next(serial)) for _ in range(count)]
        sends = [(chats[n % len(chats)], text, markup) for n, (text, markup, _) in enumerate(cards)]
        ids = await send_all(sender, sends)
        return [Card(s[0], i, c[2]) for s, i, c in zip(sends, ids, cards, strict=True)]

    async def check(cards: list[Card]) -> None:
        return None  # the bare bot has no state; the double's answers are checked instead

    async def close() -> None:
        await sender.shutdown()
        assert application.updater is not None
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await api.stop()

    name = "bare PTB (baseline)"
    if rate_limited:
        name = "diag: bare PTB + our AIORateLimiter"
    elif our_payload:
        name = "diag: bare PTB, our card payload"
    elif our_transport:
        name = "diag: bare PTB on our aiohttp transport"
    return Subject(name, api, make_cards, check, close)


def our_cards() -> tuple[str, str]:
    """A card as ours renders it, pending and rejected: the diagnostic bare bot sends and
    edits these, so the double parses the same HTML for it as for ours."""
    payload = SuggestionDraft.model_validate(suggestion_answer()).to_payload()
    view = SuggestionView.from_payload(
        id=1, status="pending", revision=1, payload=payload,
        created_at=datetime.now(UTC), decided_by=None,
    )  # fmt: skip
    tz = ZoneInfo("Europe/Berlin")
    rejected = dataclasses.replace(view, status="rejected")
    return suggestion_card(view, tz), suggestion_card(rejected, tz)


def _reject_button(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("🗑 Reject", callback_data=data)]])


async def measure(subject: Subject, count: int) -> float:
    """Taps per second for `count` taps pushed at once; raises if any tap went wrong."""
    cards = await subject.make_cards(count)
    api = subject.api
    # Built before the clock starts: making an update is the double's work, not the bot's.
    updates = [api.make_callback_update(c.chat_id, c.chat_id, c.message_id, c.data) for c in cards]
    watcher = CallWatcher(api)
    for update in updates:
        api.push_update(update)
    # push_update is synchronous: no bot code runs until we await, so the clock starts
    # with all N taps queued and the double's validation of them is not billed to a bot.
    started = time.time()

    def all_done(_: object) -> bool:
        return watcher.count("editMessageText") >= count and (
            watcher.count("answerCallbackQuery") >= count
        )

    await watcher.until(all_done, ROUND_TIMEOUT_S)
    # The arrival of the last edit at the double, not when we noticed it.
    finished = max(c.time for c in watcher.seen if c.method == "editMessageText")
    failed = [c for c in watcher.seen if not c.ok]
    if failed or api.violations:
        raise AssertionError(f"{subject.name}: failed calls {failed[:3]} {api.violations[:3]}")
    await subject.check(cards)
    return count / (finished - started)


async def run(taps: int, rounds: int, chat_count: int, diagnose: bool) -> int:
    chats = [ADMIN + n for n in range(chat_count)]
    data_dir = Path(tempfile.mkdtemp(prefix="bench-taps-"))
    subjects = [await open_bare(chats), await open_ours(chats, data_dir / "ours")]
    if diagnose:
        subjects += [
            await open_ours(chats, data_dir / "unpaced", paced=False),
            await open_ours(chats, data_dir / "unstored", store=False),
            await open_bare(chats, our_payload=True),
            await open_bare(chats, rate_limited=True),
            await open_bare(chats, our_transport=True),
        ]
    try:
        for subject in subjects:
            await measure(subject, WARM_UP_TAPS)  # first-use costs (SQL compile, pools)
        for _ in range(rounds):
            for subject in subjects:  # interleaved: noise lands on every bot alike
                subject.rates.append(await measure(subject, taps))
    finally:
        for subject in subjects:
            await subject.close()
        remove_tree(data_dir)
    return report(subjects, taps, rounds, chat_count)


def report(subjects: list[Subject], taps: int, rounds: int, chat_count: int) -> int:
    print(f"   {taps} taps per round over {chat_count} chats, {rounds} rounds (+1 warm-up)")
    rows = [[s.name, statistics.median(s.rates), min(s.rates), max(s.rates)] for s in subjects]
    table(["bot", "median taps/s", "min", "max"], rows)
    bare = statistics.median(subjects[0].rates)
    for subject in subjects[1:]:
        print(f"   ratio {subject.name} / bare: {statistics.median(subject.rates) / bare:.2f}")
    ratio = statistics.median(subjects[1].rates) / bare
    return verdict(f"taps/s ratio ours/bare >= {TARGET_RATIO}", ratio >= TARGET_RATIO)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taps", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chats", type=int, default=10)
    parser.add_argument("--diagnose", action="store_true", help="add the attribution bots")
    args = parser.parse_args()
    header("Benchmark 1: button taps per second, ours vs bare python-telegram-bot")
    return asyncio.run(run(args.taps, args.rounds, args.chats, args.diagnose))


if __name__ == "__main__":
    sys.exit(main())
