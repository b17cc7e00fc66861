"""Order numbers a customer wrote in the subject or body.

"Order #1001", "order no. A-1001", "Bestellung 55012", "my order: SO-77" are strong
mentions; a bare "#1001" is a weak one. Every candidate is returned, strongest first;
the intake keeps the first one the orders table knows, else the first strong one.
"""

from __future__ import annotations

import re

from core.orders.numbers import normalise, problem

_WORDS = r"(?:order|bestellung|commande|pedido|ordine|bestelling)"
_STRONG = re.compile(
    r"\b" + _WORDS + r"(?:\s*(?:number|nummer|num[ée]ro|no\.?|nr\.?|#|:|id|is|was))*\s*[#:]?\s*"
    r"(?P<number>#?[A-Za-z0-9][A-Za-z0-9._/-]{1,40}\d[A-Za-z0-9._/-]*|#?\d{2,40})",
    re.IGNORECASE,
)
_WEAK = re.compile(r"(?<![\w&])#(?P<number>[A-Za-z]{0,4}-?\d{3,20})\b")


def candidates(subject: str, body: str) -> tuple[list[str], list[str]]:
    """(strong, weak) candidates, subject before body, each once, normalised."""
    strong: list[str] = []
    weak: list[str] = []
    for text in (subject, body[:20_000]):
        _collect(_STRONG, text, strong)
        _collect(_WEAK, text, weak)
    return strong, [number for number in weak if number not in strong]


def _collect(pattern: re.Pattern[str], text: str, into: list[str]) -> None:
    for match in pattern.finditer(text):
        number = normalise(match.group("number")).rstrip(".-/")
        if problem(number) is None and number not in into:
            into.append(number)
