"""What the model is asked for when it sorts a customer email and drafts the reply.

Both are validated before anything is stored; an invalid answer is re-asked by the
gateway and never kept. The fields follow the LLM-integration design's
`draft_email_response` return value, plus the type, a summary and the facts relied on.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from domain.email_replies import ResponseType, Tone

MAX_LINE = 300
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_LINE)]
# The pattern only shapes what the model may write (llama.cpp compiles it into a grammar).
Action = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z][a-z_]{1,39}$"),
]
MAX_DRAFT = 3000


def _clip(value: object) -> object:
    """A fact the draft relied on, cut to one line's length rather than refused: the facts
    only explain the draft to the admin, and a small model that writes a long one (Gemma
    3 270M does) keeps writing it when re-asked, losing a good draft for a long footnote."""
    if isinstance(value, str) and len(value.strip()) > MAX_LINE:
        return value.strip()[: MAX_LINE - 1] + "…"
    return value


Fact = Annotated[Line, BeforeValidator(_clip)]


class EmailTriage(BaseModel):
    """Step 1: which reply template fits, and the line the admin reads first."""

    model_config = ConfigDict(extra="ignore")

    response_type: ResponseType
    summary: Line


class ReplyAnswer(BaseModel):
    """Step 2: the draft reply and how far to trust it."""

    model_config = ConfigDict(extra="ignore")

    response_type: ResponseType
    summary: Line
    draft: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DRAFT)
    ]
    tone: Tone
    confidence: float = Field(ge=0, le=1)
    needs_review: bool
    suggested_actions: list[Action] = Field(default_factory=list, max_length=6)
    facts: list[Fact] = Field(default_factory=list, max_length=12)
