"""Bearer-token check for the REST API."""

from __future__ import annotations

import hashlib
import hmac

from pydantic import SecretStr

from bot.api.replies import Reply, error

DISABLED = "The REST API is off: set API_TOKEN to turn it on."
UNAUTHORIZED = "Missing or invalid bearer token."


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


class BearerAuth:
    def __init__(self, token: SecretStr | None) -> None:
        self._token = token.get_secret_value() if token is not None else None

    def refusal(self, authorization: str | None) -> Reply | None:
        """None when the header carries the token; else the 503 or 401 to send."""
        if not self._token:
            return error(503, DISABLED)
        scheme, _, given = (authorization or "").partition(" ")
        # Hashing first makes the compare constant-time in the token's length as well.
        matches = hmac.compare_digest(_digest(given.strip()), _digest(self._token))
        if scheme.lower() != "bearer" or not matches:
            return error(401, UNAUTHORIZED, **{"WWW-Authenticate": "Bearer"})
        return None

    def subject(self) -> str:
        """Who the rate limit counts: the token, never stored in clear."""
        return "token:" + hashlib.sha256((self._token or "").encode()).hexdigest()[:32]
