"""Settings, one class per concern, read from the environment and a `.env` file.

They are built once in `bot.settings.load_settings` and passed down; nothing imports a
global settings object, so tests construct exactly the settings they need.
Variable names are the ones README.md lists under "Configure it".
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_COMMON = {"env_file": ".env", "env_file_encoding": "utf-8", "extra": "ignore"}


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", **_COMMON)  # type: ignore[typeddict-item]

    bot_token: SecretStr
    api_base_url: str = "https://api.telegram.org/bot"
    file_base_url: str = "https://api.telegram.org/file/bot"
    webhook_secret: SecretStr | None = None

    @field_validator("bot_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value


class AccessSettings(BaseSettings):
    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    admin_user_ids: Annotated[frozenset[int], NoDecode] = Field(min_length=1)

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        return _split_csv(value)


class BotModeSettings(BaseSettings):
    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    bot_mode: Literal["polling", "webhook"] = "polling"
    webhook_url: AnyHttpUrl | None = None


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", **_COMMON)  # type: ignore[typeddict-item]

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    database_url: str = "sqlite+aiosqlite:///./data/copilot.db"

    @field_validator("database_url")
    @classmethod
    def _supported(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value


class LLMSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LLM_", **_COMMON)  # type: ignore[typeddict-item]

    model: str | None = None
    api_base: str | None = None
    api_key: SecretStr | None = None
    fallback_models: Annotated[list[str], NoDecode] = Field(default_factory=list)
    timeout_s: float = Field(default=60.0, gt=0, le=600)
    daily_budget_usd: Decimal = Field(default=Decimal("10"), ge=0)
    price_input_per_mtok: Decimal | None = Field(default=None, ge=0)
    price_output_per_mtok: Decimal | None = Field(default=None, ge=0)
    # Not in INTERFACES: tuning knobs with safe defaults.
    max_retries: int = Field(default=2, ge=0, le=5)
    cache_ttl_s: int = Field(default=600, ge=0)
    # A fixed sampling seed, for repeatable answers from providers that honour it
    # (llama.cpp, OpenAI). Unset: the provider picks one per call.
    seed: int | None = Field(default=None, ge=0)

    @field_validator("fallback_models", mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        return _split_csv(value)


class ComfySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COMFYUI_", **_COMMON)  # type: ignore[typeddict-item]

    url: AnyHttpUrl | None = None
    workflow: Path | None = None
    # Not in INTERFACES: image pipeline knobs with safe defaults.
    max_runs: int = Field(default=2, ge=1, le=32)
    # Candidates per run; a Telegram media group holds at most 10.
    batch_size: int = Field(default=4, ge=1, le=10)
    deadline_s: float = Field(default=600.0, gt=0, le=86400)
    poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    width: int = Field(default=512, ge=64, le=4096)
    height: int = Field(default=512, ge=64, le=4096)
    negative_prompt: str = "text, watermark, blurry, deformed"


class AppSettings(BaseSettings):
    """Everything else that has no common prefix."""

    model_config = SettingsConfigDict(**_COMMON)  # type: ignore[typeddict-item]

    publish_chat_id: str | None = None
    api_token: SecretStr | None = None
    pipeline_webhook_secret: SecretStr | None = None
    timezone: str = "UTC"
    data_dir: Path = Path("./data")
    # Publishing (core/publishing; docs/PUBLISHING.md). Not in INTERFACES: an outgoing
    # webhook as a destination, and the dispatcher's timing, all with safe defaults.
    publish_webhook_url: AnyHttpUrl | None = None
    publish_webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    publish_catchup_minutes: int = Field(default=15, ge=1, le=7 * 24 * 60)
    publish_retries: int = Field(default=3, ge=0, le=10)
    publish_backoff_s: float = Field(default=2.0, gt=0, le=600)
    publish_sweep_interval_s: float = Field(default=5.0, gt=0, le=300)
    publish_lease_s: float = Field(default=60.0, ge=1, le=3600)
    publish_send_timeout_s: float = Field(default=20.0, gt=0, le=300)
    # Telegram allows about 20 messages a minute into one group or channel, and about
    # 30 a second in all; raise these only for a test double.
    publish_chat_interval_s: float = Field(default=3.0, ge=0, le=3600)
    publish_rate_per_s: float = Field(default=25.0, gt=0, le=10_000)

    @field_validator("publish_webhook_secret")
    @classmethod
    def _publish_whsec(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None and info.data.get("publish_webhook_url") is not None:
            raise ValueError("is required when PUBLISH_WEBHOOK_URL is set (whsec_ + base64)")
        if value is not None and not value.get_secret_value().startswith("whsec_"):
            raise ValueError("must start with whsec_")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("pipeline_webhook_secret")
    @classmethod
    def _whsec(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("whsec_"):
            raise ValueError("must start with whsec_")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class SMTPSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SMTP_", **_COMMON)  # type: ignore[typeddict-item]

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = True
    email_from: str | None = Field(default=None, validation_alias="EMAIL_FROM")

    @model_validator(mode="after")
    def _from_needed(self) -> SMTPSettings:
        if self.host and not self.email_from:
            raise ValueError("EMAIL_FROM is required when SMTP_HOST is set")
        return self
