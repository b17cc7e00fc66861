"""All settings, grouped by concern, loaded once at start-up and passed down."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from bot.api.settings import ApiSettings
from bot.config_messages import describe
from core.config import (
    AccessSettings,
    AppSettings,
    BotModeSettings,
    ComfySettings,
    DatabaseSettings,
    LLMSettings,
    SMTPSettings,
    TelegramSettings,
    WebSettings,
)

# Every group of settings, in the order they are read (and .env.example lists them).
GROUPS: dict[str, type[BaseSettings]] = {
    "telegram": TelegramSettings, "access": AccessSettings, "mode": BotModeSettings,
    "web": WebSettings, "database": DatabaseSettings, "llm": LLMSettings,
    "comfy": ComfySettings, "app": AppSettings, "smtp": SMTPSettings, "api": ApiSettings,
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
