"""Addresses and message ids as mail headers carry them, checked before anything is stored.

A reply goes to the stored From address and nowhere else, so it has to be one address,
plainly written: no CR or LF, no second address smuggled in, a domain with a dot.
"""

from __future__ import annotations

import re
from email.utils import getaddresses, parseaddr

MAX_ADDRESS = 320
MAX_MESSAGE_ID = 500
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def is_address(value: str) -> bool:
    return len(value) <= MAX_ADDRESS and _ADDRESS.match(value) is not None


def mailbox(value: str) -> tuple[str, str] | None:
    """("Jane Doe", "jane@example.com") from one mailbox header value; None if unusable."""
    if "\r" in value or "\n" in value or len(getaddresses([value])) != 1:
        return None
    name, address = parseaddr(value)
    return (name.strip(), address.strip()) if is_address(address.strip()) else None


def addresses(value: str) -> tuple[str, ...]:
    """Every usable address of a To or Cc header; the rest are dropped."""
    found = (address.strip() for _, address in getaddresses([value]))
    return tuple(address for address in found if is_address(address))


def message_id(value: str | None) -> str | None:
    """The one `<id@host>` in a Message-ID or In-Reply-To header, or None."""
    ids = message_ids(value)
    return ids[0] if len(ids) == 1 else None


def message_ids(value: str | None) -> tuple[str, ...]:
    """Each `<id@host>` in a References header, in order (at most the last 30)."""
    found = [token for token in _MESSAGE_ID.findall(value or "") if len(token) <= MAX_MESSAGE_ID]
    return tuple(found[-30:])
