"""Drafting one reply: sort the email (which template), then write the draft with it.

Two model calls: a short, cold one that picks the response type and summarises the email,
then the type's template (prompts/email_reply_<type>.yaml). The draft is then checked
for promises the order data doesn't back (reply_checks); a draft with such a promise
always needs review and its confidence is capped, so the card can't look surer than it is.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parseaddr

from core.emaildesk.reply_checks import unsupported_promises
from core.emaildesk.reply_schema import EmailTriage, ReplyAnswer
from core.llm.types import LLMRequest
from core.suggestions.ports import PromptRenderer, StructuredLLM
from domain.email_replies import ResponseType, Tone

CLASSIFY = "email_reply_classify"
# The body the model reads is cut here: a long thread says what matters in its first pages.
MAX_BODY_CHARS = 8000
# A draft with an unbacked promise is never shown as surer than this.
CAPPED_CONFIDENCE = 0.4


def template_for(response_type: ResponseType) -> str:
    return f"email_reply_{response_type.value}"


@dataclass(frozen=True)
class OrderFacts:
    number: str
    status: str
    contents: str
    updated_at: datetime


@dataclass(frozen=True)
class EmailFacts:
    """What the model is told about one customer email: stored data only."""

    sender: str
    subject: str
    body: str
    order_number: str | None
    order: OrderFacts | None


@dataclass(frozen=True)
class Written:
    answer: ReplyAnswer
    warnings: tuple[str, ...]
    template: str
    template_version: int
    call_id: int | None


class ReplyWriter:
    def __init__(self, prompts: PromptRenderer, llm: StructuredLLM, signature: str) -> None:
        self._prompts = prompts
        self._llm = llm
        self._signature = signature

    async def write(
        self,
        email: EmailFacts,
        *,
        tone: Tone | None = None,
        rejected: str = "",
        known_type: ResponseType | None = None,
        fresh: bool = False,
        variant_key: str | None = None,
    ) -> Written:
        """`known_type` skips the sorting step (a redo of a draft already sorted);
        `fresh` for a redo a person asked for: the model is asked, never the cache;
        `variant_key` (the draft) pins the A/B arm of every rewrite of one draft."""
        response_type = known_type or await self._sort(email, variant_key)
        template = template_for(response_type)
        variables = self._variables(email, tone, rejected)
        request = self._prompts.render(template, variables, variant_key=variant_key)
        result = await self._llm.generate(replace(request, fresh=fresh), ReplyAnswer)
        answer = result.value.model_copy(update={"response_type": response_type})
        if tone is not None:
            answer = answer.model_copy(update={"tone": tone})
        status = email.order.status if email.order else None
        warnings = tuple(unsupported_promises(answer.draft, status))
        if warnings:
            capped = min(answer.confidence, CAPPED_CONFIDENCE)
            answer = answer.model_copy(update={"needs_review": True, "confidence": capped})
        version = request.prompt.version if request.prompt else 0
        return Written(answer, warnings, template, version, result.call_id)

    async def _sort(self, email: EmailFacts, variant_key: str | None) -> ResponseType:
        variables = {"sender": email.sender, "subject": email.subject, "body": _cut(email.body)}
        request: LLMRequest = self._prompts.render(CLASSIFY, variables, variant_key=variant_key)
        return (await self._llm.generate(request, EmailTriage)).value.response_type

    def _variables(self, email: EmailFacts, tone: Tone | None, rejected: str) -> dict[str, object]:
        order = email.order
        return {
            "sender": email.sender,
            "subject": email.subject,
            "body": _cut(email.body),
            "order": None if order is None else {
                "order_number": order.number, "status": order.status,
                "contents": order.contents, "updated_at": f"{order.updated_at:%Y-%m-%d}",
            },
            "order_number": email.order_number or "",
            "tone": tone.value if tone else "",
            "signature": self._signature,
            "rejected": rejected,
        }  # fmt: skip


def signature_of(email_from: str | None) -> str:
    """Who signs replies: the display name of EMAIL_FROM ("Candle Shop <hi@...>"), else a
    neutral "The support team"."""
    name = parseaddr(email_from or "")[0].strip()
    return f"{name}" if name else "The support team"


def _cut(text: str) -> str:
    text = text.strip() or "(the email has no text)"
    return text if len(text) <= MAX_BODY_CHARS else text[:MAX_BODY_CHARS] + "\n[… cut]"
