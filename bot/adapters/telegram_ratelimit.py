"""Outgoing flood control: pace what Telegram paces, never what a user is waiting on.

Telegram's limits are about sending: ~30 messages a second in bulk, ~20 a minute into
one group. PTB's AIORateLimiter applies the 30/s pacing to every call that names a
chat, including the edit and the callback answer that follow a button tap, which caps
a busy admin's taps at the broadcast rate for no benefit. Here those replies in private
chats go unpaced; everything still gets `retry_after` honoured on a 429.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

JSONish = bool | dict[str, Any] | list[dict[str, Any]]

# Replies to what the user just did, not new messages.
_REPLIES = frozenset(
    {
        "answerCallbackQuery",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "sendChatAction",
    }
)


class ReplyAwareRateLimiter(AIORateLimiter):
    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONish]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONish:
        if endpoint in _REPLIES and _private(data.get("chat_id")):
            # `data` only steers the pacing; the request itself is in args/kwargs.
            data = {k: v for k, v in data.items() if k != "chat_id"}
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def _private(chat_id: object) -> bool:
    """Private chats have positive ids; groups and channels negative ids or @names."""
    try:
        return int(str(chat_id)) > 0
    except ValueError:
        return False
