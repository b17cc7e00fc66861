"""Settings, one class per concern, read from the environment and a `.env` file.

They are built once in `bot.settings.load_settings` and passed down; nothing imports a
global settings object, so tests construct exactly the settings they need.
Variable names are the ones README.md lists under "Configure it". Each class docstring
and the docstring under each field are the text of `.env.example`
(`python -m bot.env_example` writes it; a test checks the two agree).
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# What every settings group shares (core's here, the bot's in bot/settings.py).
COMMON = {
    "env_file": ".env",
    "env_file_encoding": "utf-8",
    "extra": "ignore",
    # `VAR=` counts as unset, as a copied .env.example or compose's env_file leaves it.
    "env_ignore_empty": True,
    "use_attribute_docstrings": True,  # the docstring under a field is its description
}
SQLITE_EXAMPLE = "sqlite+aiosqlite:///./data/copilot.db"
POSTGRES_EXAMPLE = "postgresql+asyncpg://USER:PASSWORD@HOST:5432/DATABASE"


def env_name(group: type[BaseSettings], field: str) -> str:
    """The environment variable a field is read from, as pydantic-settings reads it."""
    alias = group.model_fields[field].validation_alias
    if isinstance(alias, str):
        return alias.upper()
    return (str(group.model_config.get("env_prefix", "")) + field).upper()


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class AccessSettings(BaseSettings):
    """Who may use the bot"""

    model_config = SettingsConfigDict(**COMMON)  # type: ignore[typeddict-item]

    admin_user_ids: Annotated[frozenset[int], NoDecode] = Field(min_length=1)
    """Comma-separated Telegram user ids allowed to use the bot (find yours with
    @userinfobot); everyone else is refused politely. Required."""

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        return _split_csv(value)


class DatabaseSettings(BaseSettings):
    """Database"""

    model_config = SettingsConfigDict(**COMMON)  # type: ignore[typeddict-item]

    database_url: str = SQLITE_EXAMPLE
    """sqlite+aiosqlite:///PATH or postgresql+asyncpg://USER:PASSWORD@HOST:5432/DATABASE;
    migrated at start-up."""

    @field_validator("database_url")
    @classmethod
    def _supported(cls, value: str) -> str:
        problem = database_url_problem(value)
        if problem:
            raise ValueError(problem)
        return value


def database_url_problem(url: str) -> str | None:
    """What is wrong with a DATABASE_URL, in words (never echoing it: it may hold a password)."""
    if not url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        return "must start with sqlite+aiosqlite:// or postgresql+asyncpg://"
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return f"is not a database URL; for example {POSTGRES_EXAMPLE}"
    if parsed.database:
        return None
    if url.startswith("sqlite"):
        return f"names no SQLite file: write {SQLITE_EXAMPLE} (three slashes, then the path)"
    # Without a name asyncpg picks a database by itself (the user's), and we would migrate it.
    return f"names no database: write {POSTGRES_EXAMPLE}"


class LLMSettings(BaseSettings):
    """AI model (litellm)"""

    model_config = SettingsConfigDict(env_prefix="LLM_", **COMMON)  # type: ignore[typeddict-item]

    model: str | None = None
    """litellm model, e.g. openai/gpt-4o-mini, anthropic/claude-..., ollama/llama3.1, or
    openai/NAME with LLM_API_BASE for any OpenAI-compatible server. Unset: AI writing is off."""
    api_base: str | None = None
    """Base URL of the model's server (self-hosted or a proxy), passed to litellm."""
    api_key: SecretStr | None = None
    """The provider's API key (else litellm reads OPENAI_API_KEY, ANTHROPIC_API_KEY, ...)."""
    fallback_models: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Comma-separated models tried in order when the main one fails."""
    timeout_s: float = Field(default=60.0, gt=0, le=600)
    """Hard timeout of one LLM call, in seconds."""
    daily_budget_usd: Decimal = Field(default=Decimal("10"), ge=0)
    """Hard daily cap in USD; at the cap no provider call is made and the user is told."""
    price_input_per_mtok: Decimal | None = Field(default=None, ge=0)
    """USD per million input tokens, for a model litellm has no price for (0 if free)."""
    price_output_per_mtok: Decimal | None = Field(default=None, ge=0)
    """USD per million output tokens, for a model litellm has no price for (0 if free)."""
    max_retries: int = Field(default=2, ge=0, le=5)
    """Retries of a failed call."""
    cache_ttl_s: int = Field(default=600, ge=0)
    """Seconds an identical request is answered from the cache (0: no cache)."""
    seed: int | None = Field(default=None, ge=0)
    """A fixed sampling seed, for repeatable answers from providers that honour it
    (llama.cpp, OpenAI). Unset: the provider picks one per call."""

    @field_validator("fallback_models", mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        return _split_csv(value)


class ComfySettings(BaseSettings):
    """Image generation (ComfyUI)"""

    model_config = SettingsConfigDict(env_prefix="COMFYUI_", **COMMON)  # type: ignore[typeddict-item]

    url: AnyHttpUrl | None = None
    """ComfyUI server, e.g. http://127.0.0.1:8188. Unset: image generation is off."""
    workflow: Path | None = None
    """An API-format workflow JSON ("Export (API)" in ComfyUI) with "{{prompt}}",
    "{{seed}}"... placeholders. Unset: the bundled default."""
    max_runs: int = Field(default=2, ge=1, le=32)
    """Runs in flight at once."""
    batch_size: int = Field(default=4, ge=1, le=10)
    """Candidates per run; a Telegram media group holds at most 10."""
    deadline_s: float = Field(default=600.0, gt=0, le=86400)
    """Seconds after which a run is given up."""
    poll_interval_s: float = Field(default=1.0, gt=0, le=60)
    """Seconds between checks when ComfyUI's websocket is unavailable."""
    width: int = Field(default=512, ge=64, le=4096)
    """Image width in pixels."""
    height: int = Field(default=512, ge=64, le=4096)
    """Image height in pixels."""
    negative_prompt: str = "text, watermark, blurry, deformed"
    """What the images should avoid."""


class AppSettings(BaseSettings):
    """Publishing, time zone, files and the REST API"""

    model_config = SettingsConfigDict(**COMMON)  # type: ignore[typeddict-item]

    publish_chat_id: str | None = None
    """Channel or chat (@name or id) approved posts are published to; the bot must be
    an admin there."""
    api_token: SecretStr | None = None
    """Bearer token for the REST API. Unset: the API answers 503."""
    pipeline_webhook_secret: SecretStr | None = None
    """Standard Webhooks secret (whsec_...) for image pipeline callbacks; during a
    rotation the new and the old one, separated by a space or comma."""
    timezone: str = "UTC"
    """IANA time zone for showing and reading times, e.g. Europe/Berlin; stored times are UTC."""
    data_dir: Path = Path("./data")
    """Where generated images are kept (DATA_DIR/images). The SQLite database's place is
    DATABASE_URL's."""
    # Publishing (core/publishing; docs/PUBLISHING.md): an outgoing webhook as a
    # destination, and the dispatcher's timing, all with safe defaults.
    publish_webhook_url: AnyHttpUrl | None = None
    """Make / n8n / Zapier webhook that published posts are POSTed to, signed (see
    docs/PUBLISHING.md)."""
    publish_webhook_secret: SecretStr | None = Field(default=None, validate_default=True)
    """whsec_ + base64 secret the webhook's requests are signed with; required with
    PUBLISH_WEBHOOK_URL."""
    publish_catchup_minutes: int = Field(default=15, ge=1, le=7 * 24 * 60)
    """Minutes after its time a post missed while the bot was down is still published."""
    publish_retries: int = Field(default=3, ge=0, le=10)
    """Retries of a failed publication."""
    publish_backoff_s: float = Field(default=2.0, gt=0, le=600)
    """First wait between retries, in seconds (it doubles)."""
    publish_sweep_interval_s: float = Field(default=5.0, gt=0, le=300)
    """Seconds between looks for posts that are due."""
    publish_lease_s: float = Field(default=60.0, ge=1, le=3600)
    """Seconds a replica holds a claimed post before another may take it."""
    publish_send_timeout_s: float = Field(default=20.0, gt=0, le=300)
    """Timeout of one send, in seconds."""
    publish_chat_interval_s: float = Field(default=3.0, ge=0, le=3600)
    """Seconds between posts into one chat. Telegram allows about 20 messages a minute
    into one group or channel; lower it only for a test double."""
    publish_rate_per_s: float = Field(default=25.0, gt=0, le=10_000)
    """Sends a second in all (Telegram allows about 30)."""
    public_base_url: AnyHttpUrl | None = None
    """The web server's public URL (https://bot.example.com), for links the bot hands out:
    the unsubscribe link in every sequence email, and the dashboard Mini App at /app/ (https
    only). Unset: sequence emails are not sent and /dashboard says what to set."""

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
            raise ValueError(
                f"{value!r} is not an IANA time zone; write one like Europe/Berlin or UTC"
            ) from exc
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
    """Outgoing mail"""

    model_config = SettingsConfigDict(env_prefix="SMTP_", **COMMON)  # type: ignore[typeddict-item]

    host: str | None = None
    """Mail server. Unset: email sending is off."""
    port: int = Field(default=587, ge=1, le=65535)
    """Mail server port."""
    username: str | None = None
    """Login, if the server wants one."""
    password: SecretStr | None = None
    """Password for SMTP_USERNAME."""
    starttls: bool = True
    """Upgrade the connection with STARTTLS (true or false)."""
    email_from: str | None = Field(default=None, validation_alias="EMAIL_FROM")
    """Sender address; required with SMTP_HOST."""

    @model_validator(mode="after")
    def _from_needed(self) -> SMTPSettings:
        if self.host and not self.email_from:
            raise ValueError("EMAIL_FROM is required when SMTP_HOST is set")
        return self


class IMAPSettings(BaseSettings):
    """The support inbox (IMAP): customer emails read from it get a reply draft"""

    model_config = SettingsConfigDict(env_prefix="IMAP_", **COMMON)  # type: ignore[typeddict-item]

    host: str | None = None
    """IMAP server of the support mailbox, e.g. imap.gmail.com. Unset: the inbox is not read."""
    port: int = Field(default=993, ge=1, le=65535)
    """IMAP port: 993 with IMAP_TLS=true, usually 143 without."""
    username: str | None = None
    """Login of the support mailbox; required with IMAP_HOST."""
    password: SecretStr | None = None
    """Password (or app password) for IMAP_USERNAME; required with IMAP_HOST."""
    folder: str = "INBOX"
    """Folder read; mail in it is only read: never deleted, moved or marked read."""
    tls: bool = True
    """Connect over TLS (IMAPS, certificate checked). false: plain IMAP, for a server on
    this machine or a trusted network only."""
    poll_interval_s: int = Field(default=60, ge=5, le=86400)
    """Seconds between looks for new mail."""

    @model_validator(mode="after")
    def _login_needed(self) -> IMAPSettings:
        if self.host and not (self.username and self.password):
            raise ValueError("IMAP_USERNAME and IMAP_PASSWORD are required when IMAP_HOST is set")
        return self


class SequenceSettings(BaseSettings):
    """Email sequences: when their emails are written and sent"""

    model_config = SettingsConfigDict(env_prefix="SEQUENCE_", **COMMON)  # type: ignore[typeddict-item]

    write_ahead_days: int = Field(default=3, ge=1, le=30)
    """Days before its send time an email of a sequence is written, so there is time to
    approve it (it enters /approve then)."""
    send_time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    """Local time (TIMEZONE, 24-hour HH:MM) new sequences send at; a sequence keeps the
    time it was created with."""
    write_lease_s: int = Field(default=600, ge=30, le=86400)
    """Seconds a replica may spend writing one email before another may take it over."""
    sweep_interval_s: int = Field(default=60, ge=5, le=3600)
    """Seconds between looks for emails to write and for unapproved emails now due."""
    send_rate_per_s: float = Field(default=10.0, gt=0, le=10_000)
    """Emails a second one replica sends to a sequence's list; keep it under your mail
    provider's limit (Amazon SES starts at 14)."""

    @property
    def send_at(self) -> time:
        hours, minutes = self.send_time.split(":")
        return time(int(hours), int(minutes))


CREW_STEP_TIMEOUT_S = 60.0


class CrewSettings(BaseSettings):
    """The review crew: five model steps that score every generated draft"""

    model_config = SettingsConfigDict(env_prefix="CREW_", **COMMON)  # type: ignore[typeddict-item]

    enabled: bool = True
    """Review every generated draft (posts, suggestions, reply drafts, sequence emails) with
    the crew and show its scores on the card. false: no crew runs and nothing is spent on it;
    a brand can also switch it off for its own drafts (/brand)."""
    step_timeout_s: float = Field(default=CREW_STEP_TIMEOUT_S, gt=0, le=600)
    """Seconds one crew step (one model call, re-asks included) may take; a slower step is
    shown as skipped and the crew carries on without it."""


MEMORY_NEAR_REPEAT = 0.73  # calibrated: tests/memory/test_calibration.py, docs/MEMORY.md


class MemorySettings(BaseSettings):
    """Semantic memory: approved and published items, searched by meaning"""

    # populate_by_name: tests pass embedding_model=..., the environment EMBEDDING_MODEL.
    model_config = SettingsConfigDict(env_prefix="MEMORY_", populate_by_name=True, **COMMON)  # type: ignore[typeddict-item]

    enabled: bool = True
    """Remember approved and published items, warn on near-repeats and show past items to
    the model. Needs the bundled model (installed with the bot) or EMBEDDING_MODEL."""
    embedding_model: str | None = Field(default=None, validation_alias="EMBEDDING_MODEL")
    """litellm embedding model, e.g. openai/text-embedding-3-small; unset: the bundled
    offline model (all-MiniLM-L6-v2 on the CPU, nothing downloaded)."""
    embedding_api_base: str | None = Field(default=None, validation_alias="EMBEDDING_API_BASE")
    """Base URL of the embedding model's server, passed to litellm (EMBEDDING_MODEL only)."""
    embedding_api_key: SecretStr | None = Field(default=None, validation_alias="EMBEDDING_API_KEY")
    """API key for EMBEDDING_MODEL; unset: litellm reads the provider's usual variable."""
    window_days: int = Field(default=90, ge=1, le=3650)
    """Days back a new draft is compared with for the near-repeat warning."""
    near_repeat: float = Field(default=MEMORY_NEAR_REPEAT, gt=0, le=1)
    """Cosine similarity (0-1) from which a draft is flagged as a near-repeat of an earlier
    item; the default is calibrated on a labelled set for the bundled model."""
    top_k: int = Field(default=5, ge=1, le=50)
    """Similar past items shown to the model in prompts."""
    prompt_tokens: int = Field(default=600, ge=0, le=8000)
    """At most this many tokens of past items in a prompt (0: none)."""
