"""Start Campaign Copilot: the bot, the web server and the scheduler.

    python run_bot.py           start everything
    python run_bot.py check     check the settings and every configured service, then exit
    python run_bot.py --help

Settings come from the environment and .env (see README.md, "Configure it", and .env.example).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING

# litellm fetches its price map over the network at import unless told not to.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# python-telegram-bot 22: durations as timedelta now, instead of a deprecation warning later.
os.environ.setdefault("PTB_TIMEDELTA", "true")

if TYPE_CHECKING:
    from bot.settings import Settings


PROG = "campaign-copilot"


def main(argv: list[str] | None = None) -> int:
    command = _parse(sys.argv[1:] if argv is None else argv)
    from bot.settings import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as error:
        return _fail(f"configuration error: {error}", 2)
    if command == "check":
        from bot.check import check

        return asyncio.run(check(settings))
    return _run(settings)


def _parse(argv: list[str]) -> str:
    parser = argparse.ArgumentParser(
        prog="python run_bot.py",
        description="Campaign Copilot: a Telegram bot that plans and runs AI-written "
        "marketing, with a person approving every step.",
        epilog="Settings come from the environment and from .env in the working directory "
        "(see .env.example and README.md, 'Configure it'). Exit codes: 0 done, 1 a "
        "service can't be reached (or, for check, a configured part does not work), "
        "2 a setting to fix.",
    )
    parser.add_argument(
        "command", nargs="?", choices=("run", "check"), default="run",
        help="run (the default): start the bot, the web server and the scheduler until "
        "SIGTERM or Ctrl-C. check: check the settings and reach every configured service "
        "(database, Telegram, the AI model, ComfyUI, SMTP, the outgoing webhook), print "
        "what works and how to fix what doesn't, and exit.",
    )  # fmt: skip
    command: str = parser.parse_args(argv).command
    return command


def _run(settings: Settings) -> int:
    from telegram.error import InvalidToken, NetworkError

    from bot.logs import configure_logging
    from bot.runner import run
    from bot.settings import ConfigError
    from storage.db import DatabaseProblem

    configure_logging()
    try:
        asyncio.run(run(settings))
    except ConfigError as error:  # raised at start-up, e.g. WEB_PORT taken
        return _fail(f"configuration error: {error}", 2)
    except DatabaseProblem as problem:
        if problem.unreachable:
            return _fail(str(problem), 1)
        return _fail(f"configuration error: {problem}", 2)
    except InvalidToken:
        message = "Telegram refused TELEGRAM_BOT_TOKEN (check it with @BotFather)"
        return _fail(f"configuration error: {message}", 2)
    except NetworkError as error:  # at start-up: nothing was received, nothing is lost
        where = settings.telegram.api_base_url
        return _fail(f"can't reach the Telegram Bot API at {where}: {error}", 1)
    return 0


def _fail(message: str, code: int) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
