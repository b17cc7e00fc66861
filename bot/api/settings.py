"""REST API knobs (API_TOKEN itself lives in AppSettings, as INTERFACES lists it)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ApiSettings(BaseSettings):
    """REST API limits"""

    model_config = SettingsConfigDict(
        env_prefix="API_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        env_ignore_empty=True, use_attribute_docstrings=True,
    )  # fmt: skip

    rate_limit_per_minute: int = Field(default=60, ge=1, le=100_000)
    """Requests per minute per token, counted in the database so replicas share the limit."""
    idempotency_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    """Hours a response is kept for retries with the same Idempotency-Key."""
