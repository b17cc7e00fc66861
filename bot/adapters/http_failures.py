"""Did a failed aiohttp request leave? The one rule both Bot API and webhook sends use.

The failure policy (docs/PUBLISHING.md) sends a post again only when the destination
cannot have received it. aiohttp raises ClientConnectorError (connection refused, DNS
failure, TLS handshake, proxy unreachable) and ConnectionTimeoutError (connecting, or
waiting for a pooled connection) before it writes a byte of the request. Anything later
(no answer in time, a dropped connection) may come after the server read all of it.
"""

from __future__ import annotations

import aiohttp

NEVER_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)


def never_sent(error: BaseException) -> bool:
    """True when the request failed before any of it was written: safe to send again."""
    return isinstance(error, NEVER_SENT)
