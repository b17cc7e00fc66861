"""Start Campaign Copilot: the bot, the web server and the scheduler.

    python run_bot.py

Settings come from the environment and .env (see README.md, "Configure it", and .env.example).
"""

from __future__ import annotations

import asyncio
import os
import sys

# litellm fetches its price map over the network at import unless told not to.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# python-telegram-bot 22: durations as timedelta now, instead of a deprecation warning later.
os.environ.setdefault("PTB_TIMEDELTA", "true")


def main() -> int:
    from telegram.error import InvalidToken, NetworkError

    from bot.logs import configure_logging
    from bot.runner import run
    from bot.settings import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"campaign-copilot: configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging()
    try:
        asyncio.run(run(settings))
    except InvalidToken:
        print(
            "campaign-copilot: configuration error: Telegram refused TELEGRAM_BOT_TOKEN "
            "(check it with @BotFather)",
            file=sys.stderr,
        )
        return 2
    except NetworkError as error:  # at start-up: nothing was received, nothing is lost
        where = settings.telegram.api_base_url
        print(f"campaign-copilot: can't reach the Telegram Bot API at {where}: {error}",
              file=sys.stderr)  # fmt: skip
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
