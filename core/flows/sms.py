"""SMS arithmetic and wording rules: encoding, segments, placeholders, opt-out, links.

Segments are what the sender pays for. A message that fits the GSM-7 alphabet costs one
segment up to 160 septets (characters of the extension table, such as € and [, take two);
longer, each segment carries 153 because of the concatenation header. One character outside
GSM-7 (an emoji, a curly quote, Cyrillic) turns the whole message into UCS-2: 70 UTF-16
units in one segment, 67 per segment when concatenated. A character is never split across
two segments (an escape pair, a surrogate pair), as real encoders do.

Placeholders are counted as their sample values (PLACEHOLDERS), which have the length a
typical value reserves, so the count is what a typical customer receives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from domain.brand import host_of

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Sent as an escape plus the character: two septets each.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE_LIMITS = {"GSM-7": 160, "UCS-2": 70}
PART_LIMITS = {"GSM-7": 153, "UCS-2": 67}
# Above this a message step is split (or flagged): long texts cost more and read badly.
MAX_SEGMENTS = 3

SmsEncoding = Literal["GSM-7", "UCS-2"]

# The placeholders a flow may use, with the sample value the simulator shows and the
# segment count reserves for them.
PLACEHOLDERS: dict[str, str] = {
    "first_name": "Alexandra",
    "last_name": "Henderson",
    "shop_name": "Green Leaf Shop",
    "discount_code": "SAVE15NOW",
    "discount_value": "15%",
    "product_name": "Organic Cotton Tee",
    "product_url": "https://shop.example/p/123",
    "cart_url": "https://shop.example/c/ab12",
    "shop_url": "https://shop.example",
    "order_number": "100234",
    "tracking_url": "https://shop.example/t/9876",
    "expiry_date": "Dec 31",
    "points_balance": "1,250",
}

PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")
# Anything that looks like an attempt at a placeholder: braces, or [name] / %name% forms.
BRACED = re.compile(
    r"\{+[^{}\n]{0,40}\}+|\{\{[^{}\n]{0,40}$|\[[A-Za-z_ ]{2,30}\]|%[A-Za-z_]{2,30}%"
)

OPT_OUT = re.compile(
    # "STOP" in capitals anywhere; "reply stop", "unsubscribe", "opt out" in any case.
    r"(?-i:\bSTOP\b)|\b(reply|text|txt|send|respond)\b\W{0,3}\"?stop\b|\bunsubscribe\b"
    r"|\bopt[- ]out\b",
    re.IGNORECASE,
)
OPT_OUT_LINE = "Reply STOP to opt out."

TLDS = "com|net|org|io|co|shop|store|ly|me|app|info|biz|uk|de|fr|us|ru|eu|ca|au|link|site"
URL = re.compile(
    rf"(?i)\b(?:https?://|www\.)[^\s<>\"']+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:{TLDS})\b(?:/[^\s<>\"']*)?"
)


@dataclass(frozen=True, slots=True)
class SmsCount:
    encoding: SmsEncoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def encoding_of(text: str) -> SmsEncoding:
    allowed = GSM7_BASIC | GSM7_EXTENSION
    return "GSM-7" if all(char in allowed for char in text) else "UCS-2"


def _unit_sizes(text: str, encoding: SmsEncoding) -> list[int]:
    if encoding == "GSM-7":
        return [2 if char in GSM7_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _pack(sizes: list[int], capacity: int) -> int:
    """Segments needed when no character may straddle two segments."""
    segments, used = 1, 0
    for size in sizes:
        if used + size > capacity:
            segments, used = segments + 1, 0
        used += size
    return segments


def count_text(text: str) -> SmsCount:
    """Encoding and segments of a literal text (no placeholders rendered)."""
    encoding = encoding_of(text)
    sizes = _unit_sizes(text, encoding)
    units = sum(sizes)
    if units <= SINGLE_LIMITS[encoding]:
        return SmsCount(encoding, units, 1 if units else 0)
    return SmsCount(encoding, units, _pack(sizes, PART_LIMITS[encoding]))


def render(content: str, values: dict[str, str] | None = None) -> str:
    """The text a customer receives: known placeholders replaced by values (or samples)."""
    table = PLACEHOLDERS | (values or {})
    return PLACEHOLDER.sub(lambda match: table.get(match.group(1), match.group(0)), content)


def segment_count(content: str) -> SmsCount:
    """What a message step costs: its content rendered with the sample values."""
    return count_text(render(content))


def max_units(encoding: SmsEncoding, segments: int) -> int:
    if segments <= 1:
        return SINGLE_LIMITS[encoding]
    return PART_LIMITS[encoding] * segments


def has_opt_out(content: str) -> bool:
    return OPT_OUT.search(content) is not None


def placeholder_issues(content: str) -> list[str]:
    """Sentences for unknown placeholders and malformed ones; empty when all is well."""
    issues: list[str] = []
    for name in dict.fromkeys(PLACEHOLDER.findall(content)):
        if name not in PLACEHOLDERS:
            issues.append(f"uses the unknown placeholder {{{{{name}}}}} (known: {known_list()})")
    for token in dict.fromkeys(BRACED.findall(PLACEHOLDER.sub("", content))):
        suggestion = normalize_placeholder(token)
        if not token.startswith("{") and suggestion is None:
            continue  # "[Limited offer]" is text; only a known name in [] or %% is a slip
        hint = (
            f"write {{{{{suggestion}}}}}" if suggestion else "placeholders look like {{first_name}}"
        )
        issues.append(f"has '{token}', which is not a placeholder: {hint}")
    return issues


def known_list() -> str:
    return ", ".join(f"{{{{{name}}}}}" for name in PLACEHOLDERS)


SYNONYMS = {
    "firstname": "first_name",
    "fname": "first_name",
    "name": "first_name",
    "lastname": "last_name",
    "lname": "last_name",
    "shopname": "shop_name",
    "store_name": "shop_name",
    "discountcode": "discount_code",
    "coupon_code": "discount_code",
    "code": "discount_code",
    "productname": "product_name",
    "carturl": "cart_url",
    "cart_link": "cart_url",
    "ordernumber": "order_number",
    "order_id": "order_number",
}


def normalize_placeholder(token: str) -> str | None:
    """`{ First Name }`, `{{firstName}}`, `[first_name]` → `first_name`; None when unknown."""
    inner = token.strip("{}[]% ").strip()
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", inner)
    snake = re.sub(r"[\s-]+", "_", snake).lower()
    name = SYNONYMS.get(snake, snake)
    return name if name in PLACEHOLDERS else None


def links_in(content: str) -> list[str]:
    """URLs written in a text (placeholders such as {{cart_url}} are not links here)."""
    return [
        match.group(0).rstrip(".,;:!?)") for match in URL.finditer(PLACEHOLDER.sub(" ", content))
    ]


def link_allowed(url: str, allowlist: tuple[str, ...]) -> bool:
    host = host_of(url)
    hosts = [host_of(entry) for entry in allowlist]
    return any(host == allowed or host.endswith("." + allowed) for allowed in hosts)
