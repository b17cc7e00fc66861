"""Where the Mini App lives: PUBLIC_BASE_URL/app/, and only over https (Telegram opens
Mini Apps from https addresses only)."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import AnyHttpUrl

PATH = "app/"
UNSET = (
    "The dashboard needs the bot's public https address. Set PUBLIC_BASE_URL to the https URL "
    "this bot's web server is reached at (for example https://bot.example.com), restart the "
    "bot, then send /dashboard again. It opens at PUBLIC_BASE_URL/app/."
)
NOT_HTTPS = (
    "PUBLIC_BASE_URL is {url}, but Telegram opens Mini Apps from https addresses only. Set "
    "PUBLIC_BASE_URL to an https URL (for example https://bot.example.com, behind a reverse "
    "proxy with a certificate), restart the bot, then send /dashboard again."
)


def dashboard_url(base: AnyHttpUrl | str | None) -> str | None:
    """PUBLIC_BASE_URL/app/ when PUBLIC_BASE_URL is https; None otherwise.

    Read as text: settings copied with a plain string (model_copy skips validation) work too.
    """
    if base is None or urlsplit(str(base)).scheme != "https":
        return None
    return str(base).rstrip("/") + "/" + PATH


def why_not(base: AnyHttpUrl | str | None) -> str:
    """What to set, in the words /dashboard answers with when there is no https address."""
    return UNSET if base is None else NOT_HTTPS.format(url=str(base))
