"""The `memory` block of the writing prompts: past items like the one asked for, and the
best-accepted ones, so a new draft builds on them without repeating them.

suggest_post, campaign_plan, sequence_email and flow_generate take it as the variable
`memory` (always passed; empty when memory is off or has nothing). What the block showed is
also handed back as `retrieval` rows, which the LLM gateway stores with the call
(`llm_calls.retrieval`), so a reviewer can see what the model was shown.

The block is capped at MEMORY_PROMPT_TOKENS, counted as ~4 characters a token: the gateway
loads no tokenizer before a call (docs/ARCHITECTURE.md, "The LLM gateway"), and an estimate
that errs long keeps the prompt inside its budget.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.memory.link import Memory, MemoryLink
from core.memory.types import Remembered
from domain.memory import MemoryKind

log = logging.getLogger(__name__)

CHARS_PER_TOKEN = 4
ITEM_CHARS = 400  # one past item's words at most: a glimpse, not the whole text
BEST_K = 3
SIMILAR_HEADING = "Written before on a similar subject (most similar first):"
BEST_HEADING = "Received best before:"
BUILD_ON = "Build on these without repeating them."
QUERY_CHARS = 2000


@dataclass(frozen=True)
class Recalled:
    """The prompt's `memory` text ('' for none) and the rows recorded with the call."""

    text: str = ""
    rows: tuple[dict[str, Any], ...] = ()

    @property
    def retrieval(self) -> list[dict[str, Any]] | None:
        """What LLMRequest.retrieval takes: None when nothing was shown."""
        return [dict(row) for row in self.rows] or None


NOTHING = Recalled()


@dataclass(frozen=True)
class _Line:
    item: Remembered
    why: str  # "similar" | "best"
    similarity: float | None

    def text(self) -> str:
        words = " ".join(self.item.text.split())
        if len(words) > ITEM_CHARS:
            words = words[: ITEM_CHARS - 1].rstrip() + "…"
        share = f"{round(self.similarity * 100)} % similar, " if self.similarity is not None else ""
        return f"- [{share}{self.item.label}, {self.item.outcome}] {words}"

    def row(self) -> dict[str, Any]:
        similarity = round(self.similarity, 4) if self.similarity is not None else None
        return {"kind": str(self.item.kind), "item_id": self.item.item_id,
                "label": self.item.label, "similarity": similarity, "why": self.why}  # fmt: skip


class PromptMemory:
    """Builds the block for one prompt; NOTHING when memory is off, empty, or failing."""

    def __init__(
        self, link: MemoryLink | None = None, *, top_k: int = 5, max_tokens: int = 600
    ) -> None:
        self.link = link or MemoryLink()
        self.top_k = top_k
        self.max_tokens = max_tokens

    async def recall(
        self, query: str, *, persona_id: int | None, kinds: Sequence[MemoryKind]
    ) -> Recalled:
        memory = self.link.memory
        if memory is None:
            return NOTHING
        try:
            lines = await self._lines(memory, query[:QUERY_CHARS], persona_id, kinds)
        except Exception:
            # A prompt is never held up by memory: it is written without the block.
            log.exception("memory: retrieval failed; the prompt goes without it")
            return NOTHING
        return self._capped(lines)

    async def _lines(
        self, memory: Memory, query: str, persona_id: int | None, kinds: Sequence[MemoryKind]
    ) -> list[_Line]:
        similar = []
        if query.strip() and self.top_k > 0:  # nothing to compare with: the best ones only
            similar = await memory.similar(query, persona_id=persona_id, kinds=kinds, k=self.top_k)
        best = await memory.best_accepted(persona_id=persona_id, kinds=kinds, k=BEST_K)
        lines = [_Line(match.item, "similar", match.similarity) for match in similar]
        shown = {(line.item.kind, line.item.item_id) for line in lines}
        lines += [
            _Line(item, "best", None) for item in best if (item.kind, item.item_id) not in shown
        ]
        return lines

    def _capped(self, lines: list[_Line]) -> Recalled:
        """The lines that fit the budget (the whole block, headings and all), in order."""
        budget = self.max_tokens * CHARS_PER_TOKEN
        kept: list[_Line] = []
        for line in lines:
            if len(_render([*kept, line])) > budget:
                break
            kept.append(line)
        if not kept:
            return NOTHING
        return Recalled(_render(kept), tuple(line.row() for line in kept))


def _render(lines: list[_Line]) -> str:
    similar = [line.text() for line in lines if line.why == "similar"]
    best = [line.text() for line in lines if line.why == "best"]
    parts = []
    if similar:
        parts.append("\n".join([SIMILAR_HEADING, *similar]))
    if best:
        parts.append("\n".join([BEST_HEADING, *best]))
    return "\n\n".join([*parts, BUILD_ON])
