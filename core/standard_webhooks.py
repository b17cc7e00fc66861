"""Standard Webhooks (https://www.standardwebhooks.com) signing and verification.

A message is signed as base64(HMAC-SHA256(key, f"{webhook-id}.{webhook-timestamp}.{body}"))
and sent as `webhook-signature: v1,<signature>`; the header may carry several
space-separated signatures (key rotation), any one valid is enough. The key is the
base64 part of a `whsec_...` secret. Pure functions, no I/O, no clock: pass `now`.

The signature is checked before the timestamp, so an unsigned caller always gets
SignatureInvalid (401) and learns nothing about our clock.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping, Sequence

from core.errors import CopilotError

KEY_PREFIX = "whsec_"
DEFAULT_TOLERANCE_S = 300
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"


class WebhookError(CopilotError):
    pass


class SignatureInvalid(WebhookError):
    """Missing headers or no matching signature: answer 401."""


class TimestampStale(WebhookError):
    """Signed correctly but too old or too far in the future (a replay?): answer 400."""


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for one message: "v1,<base64>"."""
    digest = _digest(_key(secret), msg_id, timestamp, body)
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """All three headers a sender puts on a message."""
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, msg_id, timestamp, body),
    }


def verify(
    secret: str | Sequence[str],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: int,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> None:
    """Raise SignatureInvalid or TimestampStale unless one of `secret` signed this message.

    `secret` may be a list (old and new during a rotation). Header names are matched
    case-insensitively, so a plain dict works as well as aiohttp's headers.
    """
    keys = [_key(s) for s in ([secret] if isinstance(secret, str) else secret)]
    if not keys:
        raise ValueError("verify needs at least one secret")
    msg_id, timestamp, signatures = _read_headers(headers)
    if not any(
        hmac.compare_digest(_digest(key, msg_id, timestamp, body), candidate)
        for key in keys
        for candidate in signatures
    ):
        raise SignatureInvalid("The webhook signature does not match")
    if abs(now - timestamp) > tolerance_s:
        direction = "old" if timestamp < now else "far in the future"
        raise TimestampStale(
            f"The webhook timestamp is too {direction} ({abs(now - timestamp)} s off, "
            f"at most {tolerance_s} s allowed)"
        )


def _read_headers(headers: Mapping[str, str]) -> tuple[str, int, list[bytes]]:
    lowered = {name.lower(): value for name, value in headers.items()}
    missing = [h for h in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER) if not lowered.get(h)]
    if missing:
        raise SignatureInvalid("Missing webhook header(s): " + ", ".join(missing))
    try:
        timestamp = int(lowered[TIMESTAMP_HEADER])
    except ValueError:
        raise SignatureInvalid("The webhook-timestamp header is not a number") from None
    signatures = _v1_signatures(lowered[SIGNATURE_HEADER])
    if not signatures:
        raise SignatureInvalid("The webhook-signature header has no v1 signature")
    return lowered[ID_HEADER], timestamp, signatures


def _v1_signatures(header: str) -> list[bytes]:
    found = []
    for item in header.split():
        version, _, encoded = item.partition(",")
        if version != "v1":
            continue  # other schemes (v1a: asymmetric) are not ours to check
        try:
            found.append(base64.b64decode(encoded, validate=True))
        except binascii.Error:
            continue
    return found


def _key(secret: str) -> bytes:
    encoded = secret.removeprefix(KEY_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise ValueError("The webhook secret is not valid base64 after 'whsec_'") from None
    if not key:
        raise ValueError("The webhook secret is empty")
    return key


def _digest(key: bytes, msg_id: str, timestamp: int, body: bytes) -> bytes:
    content = f"{msg_id}.{timestamp}.".encode() + body
    return hmac.new(key, content, hashlib.sha256).digest()
