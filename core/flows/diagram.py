"""Drawing a flow's diagram: the port core offers, the bot's Graphviz adapter fills it.

Core makes the DOT text of a flow (pure text); turning it into a picture needs an external
program (Graphviz's `dot`), which is the bot's business (bot/adapters/graphviz.py). A
missing or failing renderer is never fatal: the caller shows the flow without its picture
and says why, in the sentence the error carries.
"""

from __future__ import annotations

import struct
from typing import Protocol

from core.errors import CopilotError

INSTALL_HINT = "install Graphviz: apt-get install graphviz (or scripts/graphviz.sh)"
# Telegram's limits on a photo: width + height at most 10,000, and neither side more than
# 20 times the other. A long flow drawn top to bottom can break the second.
MAX_PHOTO_SIDES = 10_000
MAX_PHOTO_RATIO = 20


class DiagramUnavailable(CopilotError):
    """No picture this time; the message says why in words a shop owner can act on."""


class DiagramRenderer(Protocol):
    async def render_png(self, dot_source: str) -> bytes:
        """The diagram as PNG bytes; raises DiagramUnavailable when it can't be drawn."""
        ...


def png_size(png: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's header, or None when it isn't one."""
    if len(png) < 24 or not png.startswith(b"\x89PNG\r\n\x1a\n") or png[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def fits_a_photo(png: bytes) -> bool:
    """Whether Telegram takes it as a photo; if not it goes as a file (same picture)."""
    size = png_size(png)
    if size is None or min(size) == 0:
        return False
    width, height = size
    return width + height <= MAX_PHOTO_SIDES and max(size) <= MAX_PHOTO_RATIO * min(size)
