"""Brand vocabulary: the channels a draft goes to and their default length limits, the
default quality bar, and how an allowlist entry becomes a host. The guidelines themselves,
validated, are core.brands.guidelines.BrandGuidelines.
"""

from __future__ import annotations

import re

HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

# Where a draft goes; each has its own length limit.
CHANNELS = ("telegram", "telegram_caption", "email", "sms", "instagram", "blog")
# Telegram's own limits (text 4096, caption 1024); the rest are sensible defaults a brand
# can tighten.
DEFAULT_CHANNEL_LIMITS: dict[str, int] = {
    "telegram": 4096,
    "telegram_caption": 1024,
    "email": 20_000,
    "sms": 480,
    "instagram": 2200,
    "blog": 20_000,
}
DEFAULT_QUALITY_THRESHOLD = 70


def host_of(entry: str) -> str:
    """`https://Shop.Example.com/path` → `shop.example.com`: the allowlist holds hosts."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", entry.strip(), flags=re.IGNORECASE)
    return host.split("/", 1)[0].split(":", 1)[0].lower().removeprefix("www.")
