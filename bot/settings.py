"""All settings, grouped by concern, loaded once at start-up and passed down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.api.settings import ApiSettings
from bot.config_messages import describe
from core.config import (
    COMMON,
    AccessSettings,
    AppSettings,
    ComfySettings,
    CrewSettings,
    DatabaseSettings,
    IMAPSettings,
    LLMSettings,
    MemorySettings,
    SequenceSettings,
    SMTPSettings,
)

# The bot's own groups: how it reaches Telegram and serves the web. core's groups are in
# core/config.py (core never talks to Telegram or serves HTTP).


class TelegramSettings(BaseSettings):
    """Telegram"""

    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", **COMMON)  # type: ignore[typeddict-item]

    bot_token: SecretStr
    """Bot token from @BotFather (/newbot). Required."""
    api_base_url: str = "https://api.telegram.org/bot"
    """Bot API base: a local Bot API server, or a test double."""
    file_base_url: str = "https://api.telegram.org/file/bot"
    """File download base."""
    webhook_secret: SecretStr | None = None
    """Checked against X-Telegram-Bot-Api-Secret-Token; required when BOT_MODE=webhook."""

    @field_validator("bot_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("is empty: paste the token @BotFather gave you")
        return value


class BotModeSettings(BaseSettings):
    """How updates arrive"""

    model_config = SettingsConfigDict(**COMMON)  # type: ignore[typeddict-item]

    bot_mode: Literal["polling", "webhook"] = "polling"
    """polling, or webhook (then WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET are needed)."""
    webhook_url: AnyHttpUrl | None = None
    """Public URL Telegram posts updates to, ending in /telegram/webhook (webhook mode)."""


class WebSettings(BaseSettings):
    """Web server (/health, /metrics, the REST API, webhooks)"""

    model_config = SettingsConfigDict(env_prefix="WEB_", **COMMON)  # type: ignore[typeddict-item]

    host: str = "127.0.0.1"
    """Address to listen on (0.0.0.0 for every interface)."""
    port: int = Field(default=8080, ge=0, le=65535)
    """Port to listen on."""


# Every group of settings, in the order they are read (and .env.example lists them).
GROUPS: dict[str, type[BaseSettings]] = {
    "telegram": TelegramSettings, "access": AccessSettings, "mode": BotModeSettings,
    "web": WebSettings, "database": DatabaseSettings, "llm": LLMSettings,
    "comfy": ComfySettings, "app": AppSettings, "smtp": SMTPSettings, "api": ApiSettings,
    "imap": IMAPSettings, "sequences": SequenceSettings, "crew": CrewSettings,
    "memory": MemorySettings,
}  # fmt: skip


class ConfigError(Exception):
    """One line that tells a person which variable to fix."""


@dataclass(frozen=True)
class Settings:
    telegram: TelegramSettings
    access: AccessSettings
    mode: BotModeSettings
    web: WebSettings
    database: DatabaseSettings
    llm: LLMSettings
    comfy: ComfySettings
    smtp: SMTPSettings
    app: AppSettings
    # None when a test builds Settings by hand: the REST API's defaults then apply.
    api: ApiSettings | None = None
    # None when a test builds Settings by hand: the support inbox is then not read.
    imap: IMAPSettings | None = None
    # None when a test builds Settings by hand: SequenceSettings() defaults then apply.
    sequences: SequenceSettings | None = None
    # None when a test builds Settings by hand: the crew is then off, so tests that script
    # the model's answers get no crew calls between them (tests of the crew pass one).
    crew: CrewSettings | None = None
    # None when a test builds Settings by hand: semantic memory is then off.
    memory: MemorySettings | None = None

    def check(self) -> None:
        if self.mode.bot_mode == "webhook":
            if self.mode.webhook_url is None:
                raise ConfigError("WEBHOOK_URL is required when BOT_MODE=webhook")
            if self.telegram.webhook_secret is None:
                raise ConfigError("TELEGRAM_WEBHOOK_SECRET is required when BOT_MODE=webhook")


def load_settings(env_file: str | None = ".env") -> Settings:
    """Read every group; the first problem becomes a ConfigError naming the variable."""
    values: dict[str, object] = {}
    for key, group in GROUPS.items():
        try:
            values[key] = group(_env_file=env_file)
        except ValidationError as exc:
            raise ConfigError(describe(group, exc)) from None
    settings = Settings(**values)  # type: ignore[arg-type]
    settings.check()
    return settings
