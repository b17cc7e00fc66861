"""MemoryService on SQLite and PostgreSQL with the real bundled model: what it remembers,
the embedding job, search order and filters, near-repeats, best accepted."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.memory.embedder import BundledEmbedder
from core.memory.service import MemoryService
from domain.memory import MemoryEvent as E
from domain.memory import MemoryKind as K
from storage.db import make_session_factory
from storage.models import MemoryItem, MemoryItemEvent, Persona
from tests.memory.conftest import MovableClock

SALE = "Spring sale: 20% off all sneakers this weekend only. Shop now!"
SALE_AGAIN = "This weekend only: take 20 percent off every pair of sneakers in our spring sale."
COFFEE = "Five steps to the perfect pour-over coffee at home."
WEBINAR = "Join our free webinar on email automation this Thursday at 5 pm."
ARRIVALS = "Our new running sneakers just arrived in store."  # same topic, another message


async def _persona(engine: AsyncEngine, name: str) -> int:
    async with make_session_factory(engine)() as session:
        persona = Persona(name=name, caption_config={}, hashtag_strategy={})
        session.add(persona)
        await session.commit()
        return persona.id


async def _rows(engine: AsyncEngine) -> list[MemoryItem]:
    async with make_session_factory(engine)() as session:
        return list(await session.scalars(select(MemoryItem).order_by(MemoryItem.id)))


async def _remember(memory: MemoryService, kind: K, item_id: int, text: str, **kw: object) -> None:
    defaults: dict[str, object] = {
        "persona_id": None,
        "label": f"{kind} {item_id}",
        "event": E.APPROVED,
    }
    await memory.remember(kind=kind, item_id=item_id, text=text, **(defaults | kw))  # type: ignore[arg-type]


async def test_remembered_items_are_embedded_by_the_job_and_found_best_first(
    memory: MemoryService, engine: AsyncEngine
) -> None:
    await _remember(memory, K.POST, 1, SALE, label="the post of 3 Oct")
    await _remember(memory, K.POST, 2, COFFEE)
    await _remember(memory, K.SEQUENCE_EMAIL, 7, ARRIVALS)
    assert [row.dims for row in await _rows(engine)] == [None, None, None]  # not inline
    assert await memory.similar(SALE_AGAIN, persona_id=None) == []  # nothing embedded yet

    assert await memory.embed_pending() == 3
    assert await memory.embed_pending() == 0  # nothing twice
    found = await memory.similar(SALE_AGAIN, persona_id=None)
    assert [(m.item.kind, m.item.item_id) for m in found] == [
        (K.POST, 1), (K.SEQUENCE_EMAIL, 7), (K.POST, 2),
    ]  # fmt: skip
    assert found[0].item.label == "the post of 3 Oct" and found[0].item.outcome == "approved"
    assert found[0].similarity > 0.8 > found[1].similarity > 0.5 > found[2].similarity
    assert [m.similarity for m in found] == sorted((m.similarity for m in found), reverse=True)
    assert all(0.0 <= m.similarity <= 1.0 for m in found)


async def test_filters_kinds_exclusion_window_and_persona(
    memory: MemoryService, engine: AsyncEngine, clock: MovableClock
) -> None:
    shoes, cafe = await _persona(engine, "Shoes"), await _persona(engine, "Cafe")
    await _remember(memory, K.POST, 1, SALE, persona_id=shoes)
    clock.move(days=100)
    await _remember(memory, K.SUGGESTION, 2, SALE_AGAIN, persona_id=shoes)
    await _remember(memory, K.POST, 3, SALE, persona_id=cafe)
    await memory.embed_pending()

    def keys(found: list) -> list[tuple[K, int]]:  # type: ignore[type-arg]
        return [(m.item.kind, m.item.item_id) for m in found]

    assert keys(await memory.similar(SALE, persona_id=shoes)) == [(K.POST, 1), (K.SUGGESTION, 2)]
    assert keys(await memory.similar(SALE, persona_id=shoes, kinds=[K.SUGGESTION])) == [
        (K.SUGGESTION, 2)
    ]
    assert keys(await memory.similar(SALE, persona_id=shoes, exclude=(K.POST, 1))) == [
        (K.SUGGESTION, 2)
    ]
    assert keys(await memory.similar(SALE, persona_id=shoes, within_days=30)) == [(K.SUGGESTION, 2)]
    assert keys(await memory.similar(SALE, persona_id=cafe)) == [(K.POST, 3)]
    # Without a persona: every item (the shop's view); ties keep the older row first.
    assert keys(await memory.similar(SALE, persona_id=None)) == [
        (K.POST, 1), (K.POST, 3), (K.SUGGESTION, 2),
    ]  # fmt: skip
    assert keys(await memory.similar(SALE, persona_id=shoes, k=1)) == [(K.POST, 1)]


async def test_items_without_a_persona_belong_to_the_whole_shop(
    memory: MemoryService, engine: AsyncEngine, clock: MovableClock
) -> None:
    shoes, cafe = await _persona(engine, "Shoes"), await _persona(engine, "Cafe")
    await _remember(memory, K.SUGGESTION, 1, SALE, event=E.PUBLISHED)  # a /suggest post idea
    await _remember(memory, K.POST, 2, COFFEE, persona_id=cafe)
    await _remember(memory, K.POST, 3, WEBINAR, persona_id=shoes)
    await memory.embed_pending()

    def keys(found: list) -> list[tuple[K, int]]:  # type: ignore[type-arg]
        return [(m.item.kind, m.item.item_id) for m in found]

    # A campaign draft of Shoes repeating the published idea is flagged; Cafe's draft too.
    repeat = await memory.near_repeat(SALE_AGAIN, persona_id=shoes, exclude=(K.POST, 9))
    assert repeat is not None and (repeat.item.kind, repeat.item.item_id) == (K.SUGGESTION, 1)
    assert repeat.item.persona_id is None
    assert (await memory.near_repeat(SALE_AGAIN, persona_id=cafe)) == repeat
    # Shoes sees its own and the shop's items, never Cafe's; no persona sees everything.
    assert keys(await memory.similar(COFFEE, persona_id=shoes)) == [
        (K.SUGGESTION, 1), (K.POST, 3),
    ]  # fmt: skip
    assert keys(await memory.similar(COFFEE, persona_id=cafe)) == [
        (K.POST, 2), (K.SUGGESTION, 1),
    ]  # fmt: skip
    assert keys(await memory.similar(COFFEE, persona_id=None)) == [
        (K.POST, 2), (K.SUGGESTION, 1), (K.POST, 3),
    ]  # fmt: skip
    assert await memory.near_repeat(COFFEE, persona_id=shoes) is None  # Cafe's post: not seen
    near = await memory.near_repeat(COFFEE, persona_id=None)
    assert near is not None and near.item.item_id == 2
    # best_accepted: the same scope.
    best = await memory.best_accepted(persona_id=shoes, kinds=[K.POST, K.SUGGESTION], k=5)
    assert sorted(item.item_id for item in best) == [1, 3]
    best = await memory.best_accepted(persona_id=None, kinds=[K.POST, K.SUGGESTION], k=5)
    assert sorted(item.item_id for item in best) == [1, 2, 3]


async def test_near_repeat_within_the_window_and_not_the_item_itself(
    memory: MemoryService, clock: MovableClock
) -> None:
    await _remember(memory, K.POST, 1, SALE)
    await _remember(memory, K.POST, 2, COFFEE)
    await memory.embed_pending()
    repeat = await memory.near_repeat(SALE_AGAIN, persona_id=None)
    assert repeat is not None and repeat.item.item_id == 1 and repeat.similarity >= 0.8
    assert await memory.near_repeat(WEBINAR, persona_id=None) is None
    assert await memory.near_repeat(SALE, persona_id=None, exclude=(K.POST, 1)) is None
    clock.move(days=91)  # out of MEMORY_WINDOW_DAYS
    assert await memory.near_repeat(SALE_AGAIN, persona_id=None) is None


async def test_one_row_per_item_events_once_and_a_new_text_is_embedded_again(
    memory: MemoryService, engine: AsyncEngine, clock: MovableClock
) -> None:
    await _remember(memory, K.POST, 1, SALE)
    await _remember(memory, K.POST, 1, SALE)  # a retry: nothing new
    await memory.embed_pending()
    clock.move(hours=1)
    await _remember(memory, K.POST, 1, SALE, event=E.PUBLISHED, engagement={"views": 40})
    [row] = await _rows(engine)
    assert (row.outcome, row.dims, row.engagement) == ("published", 384, {"views": 40.0})
    assert await memory.embed_pending() == 0  # same text: the vector stays

    clock.move(hours=1)
    await _remember(memory, K.POST, 1, COFFEE, event=E.EDITED)
    [row] = await _rows(engine)
    assert (row.text, row.outcome, row.dims, row.embedding) == (COFFEE, "edited", None, None)
    assert await memory.embed_pending() == 1
    [match] = await memory.similar(COFFEE, persona_id=None)
    assert match.item.text == COFFEE and match.similarity > 0.99
    async with make_session_factory(engine)() as session:
        events = list(
            await session.scalars(select(MemoryItemEvent.event).order_by(MemoryItemEvent.at))
        )
    assert events == ["approved", "published", "edited"]


async def test_an_older_event_does_not_become_the_outcome(
    memory: MemoryService, engine: AsyncEngine, clock: MovableClock
) -> None:
    await _remember(memory, K.POST, 1, SALE, event=E.PUBLISHED)
    earlier = clock.now().replace(hour=8)
    await _remember(memory, K.POST, 1, SALE, event=E.APPROVED, at=earlier)
    [row] = await _rows(engine)
    assert row.outcome == "published"


async def test_remember_never_raises_and_loses_nothing_else(
    memory: MemoryService, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="core.memory.service"):
        await _remember(memory, K.POST, 1, SALE, persona_id=999_999)  # no such persona
        await _remember(memory, "poster", 2, SALE)  # type: ignore[arg-type]
        await _remember(memory, K.POST, 3, "   ")
    assert await _rows(engine) == []
    assert "could not remember post 1" in caplog.text
    assert "could not remember poster 2" in caplog.text
    assert "has no text" in caplog.text
    await _remember(memory, K.POST, 4, SALE)
    assert [row.item_id for row in await _rows(engine)] == [4]


async def test_best_accepted_by_engagement_then_newest(
    memory: MemoryService, clock: MovableClock
) -> None:
    await _remember(memory, K.POST, 1, SALE, engagement={"views": 10, "reactions": 2})
    clock.move(days=1)
    await _remember(memory, K.POST, 2, COFFEE)
    clock.move(days=1)
    await _remember(memory, K.POST, 3, WEBINAR, event=E.PUBLISHED, engagement={"views": 90})
    clock.move(days=1)
    await _remember(memory, K.POST, 4, "Edited before approval", event=E.EDITED)
    await _remember(memory, K.POST, 5, "Rejected draft", event=E.REJECTED)
    await _remember(memory, K.SUGGESTION, 6, "A suggestion")
    best = await memory.best_accepted(persona_id=None, kinds=[K.POST], k=3)
    assert [item.item_id for item in best] == [3, 1, 2]
    assert [
        i.item_id for i in await memory.best_accepted(persona_id=None, kinds=[K.SUGGESTION])
    ] == [6]


async def test_get_returns_the_item_or_none(memory: MemoryService) -> None:
    await _remember(
        memory, K.REPLY, 5, "Thanks Anna, your order ships tomorrow.", label="the reply to Anna"
    )
    item = await memory.get(K.REPLY, 5)
    assert item is not None and item.label == "the reply to Anna" and item.kind is K.REPLY
    assert await memory.get(K.REPLY, 6) is None


async def test_off_memory_answers_empty_and_records_nothing(
    engine: AsyncEngine, clock: MovableClock
) -> None:
    memory = MemoryService(
        make_session_factory(engine), clock, None, reason_off="MEMORY_ENABLED=false"
    )
    assert (memory.enabled, memory.reason_off) == (False, "MEMORY_ENABLED=false")
    await _remember(memory, K.POST, 1, SALE)
    assert await memory.embed_pending() == 0
    assert await memory.similar(SALE, persona_id=None) == []
    assert await memory.near_repeat(SALE, persona_id=None) is None
    assert await memory.best_accepted(persona_id=None, kinds=[K.POST]) == []
    async with make_session_factory(engine)() as session:
        assert await session.scalar(select(func.count()).select_from(MemoryItem)) == 0


async def test_a_replica_sees_what_another_one_wrote(
    memory: MemoryService, engine: AsyncEngine, clock: MovableClock, bundled: BundledEmbedder
) -> None:
    other = MemoryService(make_session_factory(engine), clock, bundled)
    await _remember(memory, K.POST, 1, SALE)
    await memory.embed_pending()
    assert [m.item.item_id for m in await memory.similar(SALE, persona_id=None)] == [1]

    clock.move(seconds=5)
    await _remember(other, K.POST, 2, SALE_AGAIN)
    await other.embed_pending()
    assert [m.item.item_id for m in await memory.similar(SALE, persona_id=None)] == [1, 2]

    clock.move(seconds=5)
    await _remember(other, K.POST, 1, COFFEE, event=E.EDITED)  # its vector is dropped
    assert [m.item.item_id for m in await memory.similar(SALE, persona_id=None)] == [2]
    await other.embed_pending()
    found = await memory.similar(COFFEE, persona_id=None)
    assert (found[0].item.item_id, found[0].item.text) == (1, COFFEE)


async def test_personas_beyond_the_cache_budget_are_reloaded_not_lost(
    memory: MemoryService, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.memory import index

    monkeypatch.setattr(index, "CACHED_BYTES", 1)  # room for the store in use only
    shoes, cafe = await _persona(engine, "Shoes"), await _persona(engine, "Cafe")
    await _remember(memory, K.POST, 1, SALE, persona_id=shoes)
    await _remember(memory, K.POST, 2, COFFEE, persona_id=cafe)
    await memory.embed_pending()
    for _ in range(2):
        assert [m.item.item_id for m in await memory.similar(SALE, persona_id=shoes)] == [1]
        assert [m.item.item_id for m in await memory.similar(COFFEE, persona_id=cafe)] == [2]
    # A persona's search reads the shop-wide store (empty here: no bytes), then its own, the
    # last, so the one kept; Shoes' was dropped for it.
    name = memory._embedder.name  # type: ignore[union-attr]
    assert list(memory._exact._stores) == [(None, name), (cafe, name)]


async def test_an_item_moved_to_another_persona_is_searched_there(
    memory: MemoryService, engine: AsyncEngine, clock: MovableClock
) -> None:
    shoes, cafe = await _persona(engine, "Shoes"), await _persona(engine, "Cafe")
    await _remember(memory, K.POST, 1, SALE, persona_id=shoes)
    await memory.embed_pending()
    assert [m.item.item_id for m in await memory.similar(SALE, persona_id=shoes)] == [1]
    clock.move(seconds=5)
    await _remember(memory, K.POST, 1, SALE, persona_id=cafe, event=E.PUBLISHED)
    assert await memory.similar(SALE, persona_id=shoes) == []
    assert [m.item.item_id for m in await memory.similar(SALE, persona_id=cafe)] == [1]


async def test_an_item_moved_to_the_whole_shop_is_seen_by_every_persona_once(
    memory: MemoryService, engine: AsyncEngine, clock: MovableClock
) -> None:
    shoes, cafe = await _persona(engine, "Shoes"), await _persona(engine, "Cafe")
    await _remember(memory, K.POST, 1, SALE, persona_id=shoes)
    await memory.embed_pending()
    assert [m.item.item_id for m in await memory.similar(SALE, persona_id=shoes)] == [1]
    assert await memory.similar(SALE, persona_id=cafe) == []
    clock.move(seconds=5)
    await _remember(memory, K.POST, 1, SALE, persona_id=None, event=E.PUBLISHED)
    # Shoes' store still holds the row it loaded; the shop's store has it now: one answer.
    assert [m.item.item_id for m in await memory.similar(SALE, persona_id=shoes)] == [1]
    assert [m.item.item_id for m in await memory.similar(SALE, persona_id=cafe)] == [1]
    assert [m.item.item_id for m in await memory.similar(SALE, persona_id=None)] == [1]
