"""Telegram Mini App initData, checked as Telegram's docs say ("Validating data received
via the Mini App"): secret_key = HMAC-SHA256(key="WebAppData", msg=bot_token); the
data-check-string is every field but `hash`, `key=<value>` (decoded) sorted by key and
joined with "\\n"; `hash` must be its hex HMAC-SHA256 under secret_key. `auth_date` must
be at most MAX_AGE old: a leaked string stops working within a day.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

MAX_AGE = timedelta(hours=24)
# A client clock a little ahead of ours is not an attack; more than this is not a real login.
FUTURE_SKEW = timedelta(minutes=5)
MAX_LENGTH = 8192  # Telegram's initData is well under 2 kB


class InitDataRejected(Exception):
    """Why initData is refused; `str(exc)` is safe to show (it never echoes the data)."""


@dataclass(frozen=True)
class WebAppUser:
    id: int
    first_name: str
    username: str | None

    @property
    def name(self) -> str:
        return self.first_name or (f"@{self.username}" if self.username else f"user {self.id}")


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def verify(raw: str, key: bytes, *, now: datetime, max_age: timedelta = MAX_AGE) -> WebAppUser:
    """The signed user, or InitDataRejected. `key` is secret_key(bot_token)."""
    fields = _fields(raw)
    given = fields.pop("hash", "")
    check = "\n".join(f"{name}={fields[name]}" for name in sorted(fields))
    expected = hmac.new(key, check.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise InitDataRejected("The sign-in data is not signed by this bot. Open the app again.")
    _fresh(fields.get("auth_date", ""), now, max_age)
    return _user(fields.get("user", ""))


def _fields(raw: str) -> dict[str, str]:
    if not raw or len(raw) > MAX_LENGTH:
        raise InitDataRejected("Sign-in data is missing. Open the app from Telegram.")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataRejected("The sign-in data is malformed. Open the app again.") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a repeated field could mean two different things
        raise InitDataRejected("The sign-in data is malformed. Open the app again.")
    return fields


def _fresh(auth_date: str, now: datetime, max_age: timedelta) -> None:
    if not auth_date.isdigit():
        raise InitDataRejected("The sign-in data has no date. Open the app again.")
    signed = datetime.fromtimestamp(int(auth_date), UTC)
    if now - signed > max_age:
        raise InitDataRejected("The sign-in data is too old. Close the app and open it again.")
    if signed - now > FUTURE_SKEW:
        raise InitDataRejected("The sign-in data is dated in the future. Check the clock.")


def _user(raw: str) -> WebAppUser:
    try:
        data = json.loads(raw)
        user_id = data["id"]
    except (ValueError, KeyError, TypeError):
        raise InitDataRejected("The sign-in data names no user. Open the app again.") from None
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise InitDataRejected("The sign-in data names no user. Open the app again.")
    first = data.get("first_name")
    username = data.get("username")
    return WebAppUser(
        user_id,
        first if isinstance(first, str) else "",
        username if isinstance(username, str) else None,
    )
