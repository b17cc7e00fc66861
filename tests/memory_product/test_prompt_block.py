"""The prompts' memory block: what it lists, in which order, within its token cap, and
what is recorded with the call. A small in-memory Memory stands in for MemoryService's
search (its own tests prove the search); here the block's rules are under test."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.memory.link import MemoryLink
from core.memory.retrieval import BUILD_ON, CHARS_PER_TOKEN, PromptMemory
from core.memory.types import Match, Remembered
from domain.memory import MemoryEvent, MemoryKind

AT = datetime(2026, 10, 3, 9, tzinfo=UTC)


def item(item_id: int, text: str, outcome: str = "approved") -> Remembered:
    return Remembered(
        MemoryKind.POST, item_id, None, text, f"the post of {item_id} Oct", outcome, AT, None
    )


@dataclass
class Recall:
    """Answers similar() and best_accepted() from fixed lists, and records the asks."""

    matches: list[Match]
    best: list[Remembered]
    enabled: bool = True
    asked: list[tuple[str, int | None, tuple[MemoryKind, ...]]] = field(default_factory=list)

    async def similar(
        self,
        text: str,
        *,
        persona_id: int | None,
        kinds: Sequence[MemoryKind] | None = None,
        k: int = 5,
        exclude: tuple[MemoryKind, int] | None = None,
        within_days: int | None = None,
    ) -> list[Match]:
        self.asked.append((text, persona_id, tuple(kinds or ())))
        return self.matches[:k]

    async def best_accepted(
        self, *, persona_id: int | None, kinds: Sequence[MemoryKind], k: int = 3
    ) -> list[Remembered]:
        return self.best[:k]

    async def remember(self, **_: object) -> None: ...

    async def near_repeat(
        self, text: str, *, persona_id: int | None, exclude: tuple[MemoryKind, int] | None = None
    ) -> Match | None:
        return None

    async def get(self, kind: MemoryKind, item_id: int) -> Remembered | None:
        return None


def prompt_memory(recall: Recall, **kwargs: int) -> PromptMemory:
    link = MemoryLink()
    link.connect(recall)
    return PromptMemory(link, **kwargs)


async def test_similar_then_best_once_each_with_the_line_to_build_on() -> None:
    recall = Recall(
        matches=[
            Match(item(1, "Wool socks for cold mornings"), 0.91),
            Match(item(2, "Linen shirts for summer"), 0.42),
        ],
        best=[item(2, "Linen shirts for summer", "published"), item(3, "Gift cards <now>")],
    )
    recalled = await prompt_memory(recall).recall(
        "warm socks", persona_id=7, kinds=[MemoryKind.POST]
    )
    assert recall.asked == [("warm socks", 7, (MemoryKind.POST,))]
    lines = recalled.text.splitlines()
    assert lines[1] == "- [91 % similar, the post of 1 Oct, approved] Wool socks for cold mornings"
    assert lines[2] == "- [42 % similar, the post of 2 Oct, approved] Linen shirts for summer"
    # Item 2 is already listed as similar; the best part adds only item 3.
    assert lines[-3:] == ["- [the post of 3 Oct, approved] Gift cards <now>", "", BUILD_ON]
    assert recalled.retrieval == [
        {
            "kind": "post",
            "item_id": 1,
            "label": "the post of 1 Oct",
            "similarity": 0.91,
            "why": "similar",
        },
        {
            "kind": "post",
            "item_id": 2,
            "label": "the post of 2 Oct",
            "similarity": 0.42,
            "why": "similar",
        },
        {
            "kind": "post",
            "item_id": 3,
            "label": "the post of 3 Oct",
            "similarity": None,
            "why": "best",
        },
    ]


async def test_the_block_stays_within_its_tokens_and_keeps_the_best_first() -> None:
    matches = [Match(item(i, f"text {i} " + "word " * 60), 0.9 - i / 100) for i in range(1, 6)]
    recalled = await prompt_memory(Recall(matches, []), max_tokens=200).recall(
        "query", persona_id=None, kinds=[MemoryKind.POST]
    )
    assert 0 < len(recalled.text) <= 200 * CHARS_PER_TOKEN
    assert recalled.text.endswith(BUILD_ON)
    shown = [row["item_id"] for row in recalled.rows]
    assert shown == list(range(1, len(shown) + 1)) and len(shown) < 5


async def test_a_long_item_is_cut_to_a_glimpse() -> None:
    recalled = await prompt_memory(Recall([Match(item(1, "x" * 5000), 0.8)], [])).recall(
        "q", persona_id=None, kinds=[MemoryKind.POST]
    )
    line = recalled.text.splitlines()[1]
    assert line.endswith("…") and len(line) < 500


async def test_nothing_when_off_or_empty_or_over_no_budget() -> None:
    off = PromptMemory()  # never connected
    assert (await off.recall("q", persona_id=None, kinds=[MemoryKind.POST])).text == ""
    disabled = Recall([Match(item(1, "a"), 0.9)], [], enabled=False)
    assert (await prompt_memory(disabled).recall("q", persona_id=None, kinds=[])).retrieval is None
    empty = await prompt_memory(Recall([], [])).recall("q", persona_id=None, kinds=[])
    assert (empty.text, empty.retrieval) == ("", None)
    zero = prompt_memory(Recall([Match(item(1, "a"), 0.9)], []), max_tokens=0)
    assert (await zero.recall("q", persona_id=None, kinds=[])).text == ""


async def test_without_a_query_only_the_best_are_shown() -> None:
    recall = Recall([Match(item(1, "a"), 0.9)], [item(4, "the best one", MemoryEvent.PUBLISHED)])
    recalled = await prompt_memory(recall).recall("  ", persona_id=None, kinds=[MemoryKind.POST])
    assert recall.asked == []
    assert [row["why"] for row in recalled.rows] == ["best"]


async def test_a_failing_memory_never_holds_a_prompt_up() -> None:
    class Broken(Recall):
        async def similar(self, *args: object, **kwargs: object) -> list[Match]:
            raise RuntimeError("index gone")

    recalled = await prompt_memory(Broken([], [])).recall("q", persona_id=None, kinds=[])
    assert recalled.text == "" and recalled.retrieval is None
