"""What a redo (🔄 Regenerate) returns: the item as it now is, and whether the model
repeated the text the person had just rejected.

A repeat is not stored, so the card, its revision and its buttons stay as they were and
the person is told, rather than shown the same words as if they were new.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class Redone(Generic[V]):
    view: V
    repeated: bool = False


def same_text(new: str, old: str) -> bool:
    """Equal but for spacing and case: what a reader would call the same words."""
    return _words(new) == _words(old)


def _words(text: str) -> list[str]:
    return text.casefold().split()
