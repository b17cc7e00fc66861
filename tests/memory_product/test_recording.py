"""What the item services remember, through their own decisions (the paths the cards, the
REST API and the Mini App share), on SQLite and PostgreSQL; and the sequence writer's
prompt built on what was approved, recorded with its call through the real gateway."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import LLMSettings, SequenceSettings
from core.experiments import record as outcomes
from core.llm.gateway import LLMGateway
from core.memory.embedder import BundledEmbedder
from core.memory.record import PublishedPosts, SentSequenceEmails
from core.memory.retrieval import BUILD_ON
from core.memory.service import MemoryService
from core.metrics import Metrics
from core.posts.service import PostService
from core.prompting.registry import PromptRegistry
from core.sequences.review import SequenceReview
from core.sequences.service import SequenceService
from core.sequences.writer import SequenceWriter
from domain.crew import ItemKind
from domain.memory import MemoryKind
from storage.models import LLMCall
from storage.repos import posts as post_repo
from tests.campaigns.helpers import MutableClock
from tests.design_examples import design_json
from tests.doubles.llm_server import FakeLLMServer
from tests.memory_product.conftest import BERLIN, connected
from tests.sequences.conftest import NOW, PROMPTS

ADMIN = 7


async def outcome(memory: MemoryService, kind: MemoryKind, item_id: int) -> str | None:
    found = await memory.get(kind, item_id)
    return found.outcome if found is not None else None


async def draft_post(sessions: async_sessionmaker[AsyncSession], caption: str, at: datetime) -> int:
    """A post the model wrote (an open generation), as a campaign plan leaves one."""
    async with sessions.begin() as session:
        post = await post_repo.create_draft(
            session, title="Candles", caption=caption, hashtags=["#candles"], scheduled_at=None,
            image_prompt=None, suggestion_id=None, actor="test", created_by=ADMIN, format="text",
            persona_id=None,
        )  # fmt: skip
        await outcomes.generated(session, ItemKind.POST, post.id, None, at)
        return post.id


async def test_posts_edited_approved_rejected_and_published(
    session_factory: async_sessionmaker[AsyncSession], bundled: BundledEmbedder
) -> None:
    clock = MutableClock(NOW)
    memory, recorder, _ = connected(session_factory, clock, bundled)
    posts = PostService(session_factory, clock, memory=recorder)
    kept = await draft_post(session_factory, "Autumn candles are back", clock.now())
    await posts.edit_caption(kept, "Autumn candles are back <3", ADMIN)
    await posts.approve(kept, ADMIN)
    remembered = await memory.get(MemoryKind.POST, kept)
    assert remembered is not None
    assert (remembered.outcome, remembered.text) == ("edited", "Autumn candles are back <3")
    assert remembered.label == "the post of 6 Jan"  # NOW is 6 Jan 2027, 13:00 in Berlin

    dropped = await draft_post(session_factory, "Tax office hours", clock.now())
    await posts.reject(dropped, ADMIN)
    assert await outcome(memory, MemoryKind.POST, dropped) == "rejected"

    plain = await draft_post(session_factory, "Gift cards", clock.now())
    await posts.approve(plain, ADMIN)
    assert await outcome(memory, MemoryKind.POST, plain) == "approved"

    await PublishedPosts(session_factory, recorder)(kept, clock.now())  # the sweep's hook
    assert await outcome(memory, MemoryKind.POST, kept) == "published"
    assert await memory.embed_pending() == 3


def email(subject: str) -> dict[str, Any]:
    body = f"{subject}: a plain-text email about the new scanner, long enough to read."
    return {"subject": subject, "body_text": body, "key_points": [subject.lower()]}


async def test_sequence_emails_build_on_approved_ones_and_the_call_records_it(
    session_factory: async_sessionmaker[AsyncSession],
    bundled: BundledEmbedder,
    llm_settings: LLMSettings,
    llm_server: FakeLLMServer,
) -> None:
    clock = MutableClock(NOW)
    memory, recorder, recall = connected(session_factory, clock, bundled)
    gateway = LLMGateway(llm_settings, session_factory, Metrics(), clock, retry_base_delay_s=0)
    prompts = await PromptRegistry.load(PROMPTS)
    writer = SequenceWriter(session_factory, prompts, gateway, clock,
                            SequenceSettings(_env_file=None), recall=recall)  # fmt: skip
    review = SequenceReview(session_factory, clock, BERLIN, writer, memory=recorder)
    service = SequenceService(session_factory, clock, BERLIN, send_at=time(9, 0), models=gateway)
    detail = await service.create(design_json("email_sequences/request.json"), actor="api")
    name = detail.sequence.name

    clock.value = datetime.fromisoformat("2027-01-08T09:00:00+00:00")
    llm_server.reply(email("Meet the new scanner"))
    assert await writer.write_due() == 1
    assert BUILD_ON not in json.dumps(llm_server.requests[0]["messages"])  # nothing yet
    first = (await review.pending_review())[0]
    edited = await review.edit(first.id, first.revision, ADMIN, subject="Meet our new scanner")
    await review.approve(first.id, edited.revision, ADMIN)
    remembered = await memory.get(MemoryKind.SEQUENCE_EMAIL, first.id)
    assert remembered is not None and remembered.outcome == "edited"
    assert remembered.label == f"sequence email #1 of {name}"
    assert remembered.text.startswith("Meet our new scanner\n\nMeet the new scanner: a plain")
    assert await memory.embed_pending() == 1

    clock.value = datetime.fromisoformat("2027-01-12T09:00:00+00:00")
    llm_server.reply(email("Why it is faster"))
    assert await writer.write_due() == 1
    prompt = json.dumps(llm_server.requests[1]["messages"])
    assert BUILD_ON in prompt and f"sequence email #1 of {name}, edited" in prompt
    async with session_factory() as session:
        calls = list(await session.scalars(select(LLMCall).order_by(LLMCall.id)))
    assert calls[0].retrieval is None
    assert calls[1].retrieval is not None
    assert {(r["kind"], r["item_id"], r["why"]) for r in calls[1].retrieval} == {
        ("sequence_email", first.id, "similar")
    }
    assert 0 < calls[1].retrieval[0]["similarity"] <= 1

    second = next(e for e in await review.pending_review() if e.id != first.id)
    await review.reject(second.id, second.revision, ADMIN)
    assert await outcome(memory, MemoryKind.SEQUENCE_EMAIL, second.id) == "rejected"
    await SentSequenceEmails(session_factory, recorder)([first.id], clock.now())
    assert await outcome(memory, MemoryKind.SEQUENCE_EMAIL, first.id) == "published"
