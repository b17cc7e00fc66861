"""The customer's new words: quoted replies, forwarded history and signatures cut.

Only what goes to the model is cut; the full text is stored. Mail clients mark the quoted
part in a handful of ways; each line below is one of them (Gmail, Apple Mail, Outlook,
Thunderbird, and the German and French forms of "On ... wrote:").
"""

from __future__ import annotations

import re

_ATTRIBUTION = re.compile(
    r"^\s*(On\s.+wrote:|Am\s.+schrieb.*:|Le\s.+a\s+écrit\s*:|El\s.+escribió:)\s*$",
    re.IGNORECASE,
)
_HISTORY = re.compile(
    r"^\s*(-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine)\s*-{2,}"
    r"|_{10,}"
    r"|From:\s.+\S.*$(?=\n\s*(Sent|Date):))",
    re.IGNORECASE | re.MULTILINE,
)
_SIGNATURE = "-- "


def strip_quoted(text: str) -> str:
    """The text above the first quoted block, without `>` lines and the signature."""
    text = text.replace("\r\n", "\n")
    history = _HISTORY.search(text)
    if history is not None and history.start() > 0:
        text = text[: history.start()]
    kept: list[str] = []
    for line in text.split("\n"):
        if _ATTRIBUTION.match(line) or (line.rstrip() == _SIGNATURE.rstrip() and kept):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    fresh = "\n".join(kept).strip()
    # A mail that is all quote (a bare forward) keeps its text: better than nothing.
    return fresh or text.strip()
