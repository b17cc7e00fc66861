"""The crew's deterministic checks: what needs no model, so it is never skipped.

Prohibited words and topics, required disclaimers, the channel's length limit, the hashtag
count, links against the allowlist, and readability (textstat's Flesch reading ease).
A finding is `blocking` when it is a compliance failure: Approve then waits until a person
confirms they checked it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass

from core.brands.guidelines import BrandGuidelines
from core.crew.types import CheckFinding, Draft
from domain.formats import published_length

# Channels whose drafts carry no hashtags.
NO_HASHTAGS = ("email", "sms")
# http(s) links and bare www. hosts, as a reader's client would make them clickable.
_LINK = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)


@dataclass(frozen=True)
class CheckResult:
    findings: list[CheckFinding]
    # Flesch reading ease clamped to 0-100 (higher reads more easily); None: no text.
    readability: int | None

    @property
    def blocking(self) -> list[CheckFinding]:
        return [finding for finding in self.findings if finding.blocking]


async def run_checks(draft: Draft, brand: BrandGuidelines) -> CheckResult:
    """Every check on the draft; readability in a thread (textstat's first use imports
    its dictionaries, about a second)."""
    readability = await asyncio.to_thread(readability_score, draft.text)
    return CheckResult(findings=findings_for(draft, brand), readability=readability)


def findings_for(draft: Draft, brand: BrandGuidelines) -> list[CheckFinding]:
    text = full_text(draft)
    return [
        *prohibited_words(text, brand),
        *prohibited_topics(text, brand),
        *missing_disclaimers(text, brand),
        *length(draft, brand),
        *hashtag_count(draft, brand),
        *links(text, brand),
    ]


def full_text(draft: Draft) -> str:
    """What a reader sees: the title (a subject, a headline), the text and the hashtags."""
    return "\n".join(part for part in (draft.title, draft.text, " ".join(draft.hashtags)) if part)


def prohibited_words(text: str, brand: BrandGuidelines) -> list[CheckFinding]:
    message = "Uses the prohibited word “{}”: remove or replace it."
    return _named(text, brand.prohibited_words, "prohibited_word", message)


def prohibited_topics(text: str, brand: BrandGuidelines) -> list[CheckFinding]:
    """A topic named outright; the compliance officer judges the subtler mentions."""
    message = "Mentions the prohibited topic “{}”: leave it out."
    return _named(text, brand.prohibited_topics, "prohibited_topic", message)


def _named(text: str, phrases: Iterable[str], check: str, message: str) -> list[CheckFinding]:
    """A blocking finding for each phrase the text names; `message` gets the phrase."""
    return [
        CheckFinding(check=check, message=message.format(phrase), blocking=True)
        for phrase in phrases
        if _mentions(text, phrase)
    ]


def missing_disclaimers(text: str, brand: BrandGuidelines) -> list[CheckFinding]:
    flat = _squash(text)
    return [
        CheckFinding(
            check="disclaimer",
            message=f"The required disclaimer is missing: add “{disclaimer}”.",
            blocking=True,
        )
        for disclaimer in brand.required_disclaimers
        if _squash(disclaimer) not in flat
    ]


def length(draft: Draft, brand: BrandGuidelines) -> list[CheckFinding]:
    limit = brand.limit_for(draft.channel)
    if draft.parts:  # separate messages: each has the limit
        return [
            CheckFinding(check="length", message=message, blocking=False)
            for number, part in enumerate(draft.parts, start=1)
            if (message := _part_too_long(number, len(part), limit, draft.channel))
        ]
    size = published_length(draft.text, draft.hashtags)
    if size <= limit:
        return []
    message = (
        f"{size} characters with its hashtags; {draft.channel} allows {limit}: cut {size - limit}."
    )
    return [CheckFinding(check="length", message=message, blocking=False)]


def _part_too_long(number: int, size: int, limit: int, channel: str) -> str:
    if size <= limit:
        return ""
    return f"Message {number} has {size} characters; {channel} allows {limit}: cut {size - limit}."


def hashtag_count(draft: Draft, brand: BrandGuidelines) -> list[CheckFinding]:
    if draft.channel in NO_HASHTAGS:
        return []  # emails and text messages carry no hashtags: nothing to count
    count, low, high = len(draft.hashtags), brand.hashtag_min, brand.hashtag_max
    if low <= count <= high:
        return []
    wanted = f"exactly {low}" if low == high else f"{low} to {high}"
    message = f"{count} hashtag{'s' if count != 1 else ''}; the brand wants {wanted}."
    return [CheckFinding(check="hashtags", message=message, blocking=False)]


def links(text: str, brand: BrandGuidelines) -> list[CheckFinding]:
    if not brand.link_allowlist:
        return []
    # A sentence's closing punctuation is not part of its link.
    found = [link.rstrip(".,;:!?") for link in _LINK.findall(text)]
    off_list = [link for link in found if not _allowed(link, brand.link_allowlist)]
    return [
        CheckFinding(
            check="link",
            message=f"Links to {link}, which is not on the brand's allowlist.",
            blocking=True,
        )
        for link in dict.fromkeys(off_list)
    ]


def readability_score(text: str) -> int | None:
    """Flesch reading ease, clamped to 0-100; None when there are no words to read.

    textstat is imported here, not at module level: it loads hyphenation dictionaries,
    and only a crew run needs them.
    """
    if not re.search(r"\w", text):
        return None
    import textstat  # type: ignore[import-untyped]  # lazy: see above

    score = float(textstat.flesch_reading_ease(text))
    return max(0, min(100, round(score)))


def _mentions(text: str, phrase: str) -> bool:
    """`phrase` as whole words, any case, any run of spaces between its words."""
    words = [re.escape(word) for word in phrase.split()]
    if not words:
        return False
    pattern = r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _squash(text: str) -> str:
    return " ".join(text.split()).casefold()


def _allowed(link: str, allowlist: list[str]) -> bool:
    host = re.sub(r"^(?:https?://)", "", link, flags=re.IGNORECASE)
    host = host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].split(":", 1)[0]
    host = host.lower().rstrip(".").removeprefix("www.")
    return any(host == allowed or host.endswith("." + allowed) for allowed in allowlist)
