"""The outgoing webhook: a post as JSON, signed the Standard Webhooks way.

For Make, n8n, Zapier or Buffer to carry the post on to other networks. The
`webhook-id` is the same on every retry of a post (`msg_post-<id>`), so a receiver that
deduplicates (as the spec asks) sees each post once.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from core.clock import Clock
from core.posts.views import iso
from core.publishing.errors import OutcomeUnknown, PublishRejected, RateLimited, TransientError
from core.publishing.types import Progress, Publication
from core.webhooks import signed_headers

EVENT_TYPE = "post.publish"
DEFAULT_RETRY_AFTER_S = 30.0


def payload(publication: Publication, *, timestamp: str) -> dict[str, Any]:
    text = publication.caption.strip()
    if publication.hashtags:
        text = f"{text}\n\n{' '.join(publication.hashtags)}"
    image = publication.image
    return {
        "type": EVENT_TYPE,
        "timestamp": timestamp,
        "data": {
            "post_id": publication.post_id,
            "title": publication.title,
            "caption": publication.caption,
            "hashtags": list(publication.hashtags),
            "text": text,
            "format": publication.format,
            "scheduled_at": iso(publication.scheduled_at),
            "telegram_file_id": image.file_id if image else None,
        },
    }


class WebhookPublisher:
    def __init__(self, url: str, secret: str, clock: Clock, *, timeout_s: float) -> None:
        self._url = url
        self._secret = secret
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, connect=min(timeout_s, 10.0))
        self._http: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def publish(self, publication: Publication, progress: Progress) -> None:
        if progress.sent:
            return  # one request per post: it went out already
        now = self._clock.now()
        body = json.dumps(payload(publication, timestamp=now.isoformat())).encode()
        msg_id = f"msg_{publication.idempotency_key}"
        headers = {"Content-Type": "application/json",
                   **signed_headers(self._secret, msg_id, int(now.timestamp()), body)}  # fmt: skip
        progress.sent.append(await self._post(body, headers, msg_id))

    async def _post(self, body: bytes, headers: dict[str, str], msg_id: str) -> str:
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        try:
            async with self._http.post(self._url, data=body, headers=headers) as response:
                return await _outcome(response, msg_id)
        except aiohttp.ConnectionTimeoutError as error:
            raise TransientError(f"The webhook did not accept a connection ({error}).") from None
        except aiohttp.ClientConnectorError as error:
            raise TransientError(f"The webhook could not be reached ({error.os_error}).") from None
        except (TimeoutError, aiohttp.ClientError) as error:
            raise OutcomeUnknown(
                f"The webhook did not answer in time ({type(error).__name__}); it may have "
                "received the post."
            ) from None


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
