"""REST API bookkeeping shared by every replica: idempotency keys and rate-limit windows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UTCDateTime, utcnow
from storage.types import JSONType


class IdempotencyKey(Base):
    """The first response to a request with an Idempotency-Key, replayed to its retries."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    # sha256 of method, path and canonical body: the same key with another body is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # HTTP status of the stored response; NULL while the first request is still running.
    status: Mapped[int | None] = mapped_column(Integer)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class RateLimitWindow(Base):
    """Requests counted per subject (a token's hash) in fixed windows of time."""

    __tablename__ = "rate_limit_windows"

    subject: Mapped[str] = mapped_column(String(100), primary_key=True)
    # Start of the window as Unix seconds: integer keys compare the same on every database.
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)
