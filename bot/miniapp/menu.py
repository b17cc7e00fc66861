"""At start-up, each admin's chat menu button opens the dashboard (setChatMenuButton with
a MenuButtonWebApp), when PUBLIC_BASE_URL is https; otherwise Telegram's default stays."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from pydantic import AnyHttpUrl
from telegram import Bot, MenuButtonWebApp, WebAppInfo
from telegram.error import TelegramError

from handlers.dashboard.links import dashboard_url

log = logging.getLogger(__name__)

LABEL = "Dashboard"


async def set_admin_menu_buttons(bot: Bot, admins: Iterable[int], base: AnyHttpUrl | None) -> int:
    """How many admins' chats got the button. An admin who never opened a chat with the
    bot can't have one yet ("chat not found"): logged, and the others still get theirs."""
    url = dashboard_url(base)
    if url is None:
        log.info("dashboard menu button not set: PUBLIC_BASE_URL is not an https address")
        return 0
    button = MenuButtonWebApp(LABEL, WebAppInfo(url))
    done = 0
    for admin in sorted(admins):
        try:
            await bot.set_chat_menu_button(chat_id=admin, menu_button=button)
            done += 1
        except TelegramError as exc:
            log.warning("dashboard menu button not set for admin %s: %s", admin, exc)
    return done
