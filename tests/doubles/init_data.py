"""Sign Mini App initData the way Telegram does, for tests.

Telegram's Mini Apps docs ("Validating data received via the Mini App"):
secret_key = HMAC-SHA256(key="WebAppData", msg=bot_token); the data-check-string is every
received field except `hash`, as `key=<value>` sorted by key and joined with "\n" (values
URL-decoded); `hash` is the hex HMAC-SHA256 of that string under secret_key.

`sign_init_data` returns the URL-encoded string exactly as `Telegram.WebApp.initData` holds
it: `query_id`, `user` (compact JSON), `auth_date`, any extras, then `hash`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import quote


def init_data_hash(bot_token: str, fields: dict[str, str]) -> str:
    """The hex `hash` Telegram puts on these (decoded) fields."""
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def sign_init_data(
    bot_token: str,
    user: dict[str, Any],
    *,
    auth_date: int,
    query_id: str = "AAE1",
    extra: dict[str, Any] | None = None,
) -> str:
    """The URL-encoded initData for `user`, signed with `bot_token` at `auth_date` (unix s)."""
    fields: dict[str, str] = {
        "query_id": query_id,
        # Telegram sends compact JSON with non-ASCII characters as they are.
        "user": json.dumps(user, separators=(",", ":"), ensure_ascii=False),
        "auth_date": str(auth_date),
    }
    for key, value in (extra or {}).items():
        fields[key] = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    fields["hash"] = init_data_hash(bot_token, fields)
    return "&".join(f"{key}={quote(value, safe='')}" for key, value in fields.items())
