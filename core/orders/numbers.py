"""Order numbers, written the one way they are stored and compared."""

from __future__ import annotations

import re

MAX_LENGTH = 64
_SHAPE = re.compile(r"^[A-Z0-9][A-Z0-9._/-]*$")


def normalise(raw: str) -> str:
    """ " #a-1001 " -> "A-1001": shops write numbers with or without "#", in any case."""
    return raw.strip().lstrip("#").strip().upper()


def problem(number: str) -> str | None:
    """Why a normalised order number can't be used, or None."""
    if not number:
        return "is empty"
    if len(number) > MAX_LENGTH:
        return f"is longer than {MAX_LENGTH} characters"
    if not _SHAPE.match(number):
        return f"{number!r} has characters other than letters, digits and . _ / -"
    return None
