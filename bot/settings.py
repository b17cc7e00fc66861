"""All settings, grouped by concern, loaded once at start-up and passed down."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

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

# Settings field -> the environment variable a person has to fix.
_ENV_NAMES = {
    ("TelegramSettings", "bot_token"): "TELEGRAM_BOT_TOKEN",
    ("AccessSettings", "admin_user_ids"): "ADMIN_USER_IDS",
    ("SMTPSettings", "email_from"): "EMAIL_FROM",
}
_PREFIXES = {
    "TelegramSettings": "TELEGRAM_",
    "WebSettings": "WEB_",
    "LLMSettings": "LLM_",
    "ComfySettings": "COMFYUI_",
    "SMTPSettings": "SMTP_",
}


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

    def check(self) -> None:
        if self.mode.bot_mode == "webhook":
            if self.mode.webhook_url is None:
                raise ConfigError("WEBHOOK_URL is required when BOT_MODE=webhook")
            if self.telegram.webhook_secret is None:
                raise ConfigError("TELEGRAM_WEBHOOK_SECRET is required when BOT_MODE=webhook")


def _describe(group: type, error: ValidationError) -> str:
    first = error.errors()[0]
    field = str(first["loc"][0]) if first["loc"] else ""
    name = _ENV_NAMES.get((group.__name__, field))
    if name is None:
        name = (_PREFIXES.get(group.__name__, "") + field).upper() or group.__name__
    if first["type"] == "missing":
        return f"{name} is required but not set"
    return f"{name} is invalid: {first['msg']}"


def load_settings(env_file: str | None = ".env") -> Settings:
    """Read every group; the first problem becomes a ConfigError naming the variable."""
    groups = {
        "telegram": TelegramSettings, "access": AccessSettings, "mode": BotModeSettings,
        "web": WebSettings, "database": DatabaseSettings, "llm": LLMSettings,
        "comfy": ComfySettings, "smtp": SMTPSettings, "app": AppSettings,
    }  # fmt: skip
    values: dict[str, object] = {}
    for key, group in groups.items():
        try:
            values[key] = group(_env_file=env_file)
        except ValidationError as exc:
            raise ConfigError(_describe(group, exc)) from None
    settings = Settings(**values)  # type: ignore[arg-type]
    settings.check()
    return settings
