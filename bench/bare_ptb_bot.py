"""The baseline bot: bare python-telegram-bot polling, the least any PTB bot costs.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_API_BASE_URL=... TELEGRAM_FILE_BASE_URL=... \\
        python bench/bare_ptb_bot.py

/start answers a fixed text; a button tap is answered and its message edited. No
database, no LLM, no rate limiter, no web server (diagnostics can add some of ours).
bench_taps.py builds it in-process; bench_startup.py and bench_memory.py run this file
as a process, as run_bot.py is run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Coroutine
from typing import Any

# As run_bot.py does, so both bots run PTB the same way.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

WELCOME = "Hi! I'm a bare python-telegram-bot."


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(WELCOME)


async def tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Rejected")
    await query.edit_message_text(f"Rejected ({query.data})")


def edit_to(html: str) -> Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """A tap handler that edits the message to `html`, as our bot edits a card."""

    async def tap_html(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Rejected")
        await query.edit_message_text(html, parse_mode=ParseMode.HTML)

    return tap_html


def build(
    token: str,
    base_url: str,
    file_base_url: str,
    *,
    rate_limited: bool = False,
    edit_html: str | None = None,
    aiohttp_transport: bool = False,
) -> Application:  # type: ignore[type-arg]
    """PTB's defaults. For diagnostics: `rate_limited` adds the AIORateLimiter our bot uses,
    `edit_html` makes taps edit to that HTML (our payload without our stack), and
    `aiohttp_transport` swaps httpx for the aiohttp transport our bot uses."""
    builder = ApplicationBuilder().token(token).base_url(base_url).base_file_url(file_base_url)
    if aiohttp_transport:
        from bot.adapters.telegram_http import (
            AiohttpRequest,  # the repo's; the baseline needs no repo
        )

        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest())
    if rate_limited:
        # PTB types the builder for a bot without limiter arguments; ours does the same.
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))  # type: ignore[arg-type]
    application = builder.build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(tap if edit_html is None else edit_to(edit_html)))
    return application


def main() -> int:
    env = os.environ
    application = build(
        env["TELEGRAM_BOT_TOKEN"], env["TELEGRAM_API_BASE_URL"], env["TELEGRAM_FILE_BASE_URL"]
    )
    # Stops cleanly on SIGTERM/SIGINT and returns, so the process exits 0.
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
