"""The outgoing webhook sender: a post as JSON, signed the Standard Webhooks way.

The `webhook-id` is the same on every retry of a post (`msg_post-<id>`), so a receiver
that deduplicates (as the spec asks) sees each post once. `send_event` also carries the
mirrors of channel posts (core.publishing.mirrors), with their own stable ids. It
implements core's Publisher and EventSender; the event's shape is
core/publishing/webhook.py.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.adapters.http_failures import never_sent
from core.clock import Clock
from core.publishing.errors import (
    OutcomeUnknown,
    PublishError,
    PublishRejected,
    RateLimited,
    TransientError,
)
from core.publishing.types import Progress, Publication
from core.publishing.webhook import EVENT_TYPE, publication_data
from core.standard_webhooks import signed_headers

DEFAULT_RETRY_AFTER_S = 30.0


class WebhookPublisher:
    def __init__(self, url: str, secret: str, clock: Clock, *, timeout_s: float) -> None:
        self._url = url
        self._secret = secret
        self._clock = clock
        # Connecting must time out before the whole request does: a connection that never
        # came means nothing was sent (retried), the total running out may not (unknown).
        connect = min(timeout_s / 2, 10.0)
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, connect=connect)
        self._http: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def publish(self, publication: Publication, progress: Progress) -> None:
        if progress.sent:
            return  # one request per post: it went out already
        msg_id = f"msg_{publication.idempotency_key}"
        progress.sent.append(
            await self.send_event(msg_id, EVENT_TYPE, publication_data(publication))
        )

    async def send_event(self, msg_id: str, event_type: str, data: dict[str, Any]) -> str:
        """POST one signed event; the receiver's id for it (or `msg_id`).

        Raises RateLimited, TransientError, OutcomeUnknown or PublishRejected.
        """
        now = self._clock.now()
        event = {"type": event_type, "timestamp": now.isoformat(), "data": data}
        body = json.dumps(event).encode()
        headers = {"Content-Type": "application/json",
                   **signed_headers(self._secret, msg_id, int(now.timestamp()), body)}  # fmt: skip
        return await self._post(body, headers, msg_id)

    async def _post(self, body: bytes, headers: dict[str, str], msg_id: str) -> str:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._http.post(self._url, data=body, headers=headers) as response:
                return await _outcome(response, msg_id)
        except (TimeoutError, aiohttp.ClientError) as error:
            raise _failure(error) from None


def _failure(error: TimeoutError | aiohttp.ClientError) -> PublishError:
    """Retried if the request never left (adapters.http_failures), else the receiver may have it."""
    if isinstance(error, aiohttp.ClientConnectorError):
        return TransientError(f"The webhook could not be reached ({error.os_error}).")
    if never_sent(error):
        return TransientError("The webhook did not accept a connection in time.")
    return OutcomeUnknown(
        f"The webhook did not answer ({type(error).__name__}); it may have received the post."
    )


async def _outcome(response: aiohttp.ClientResponse, msg_id: str) -> str:
    status = response.status
    if 200 <= status < 300:
        return await _external_id(response, msg_id)
    if status == 429:
        wait = _retry_after(response.headers.get("Retry-After"))
        raise RateLimited(f"The webhook asked to wait {wait:.0f} s (429).", wait)
    if status == 408 or status >= 500:
        raise TransientError(f"The webhook answered {status} {response.reason or ''}".strip() + ".")
    raise PublishRejected(f"The webhook refused the post: {status} {response.reason or ''}".strip())


async def _external_id(response: aiohttp.ClientResponse, msg_id: str) -> str:
    """The receiver's id for the post if it says one (`{"id": ...}`), else our webhook-id."""
    try:
        answer = await response.json(content_type=None)
    except (ValueError, aiohttp.ClientError):
        return msg_id
    found = answer.get("id") if isinstance(answer, dict) else None
    return str(found)[:100] if found not in (None, "") else msg_id


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else DEFAULT_RETRY_AFTER_S
    except ValueError:
        return DEFAULT_RETRY_AFTER_S
