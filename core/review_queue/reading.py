"""/approve's items as the Mini App shows them: what each card shows, with its crew scores.

The lists are the same calls /approve makes, in its order: suggestions (oldest first),
posts (oldest first), reply drafts waiting for a person, sequence emails (soonest due).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from core.emaildesk.replies import ReplyDesk
from core.emaildesk.reply_views import ReplyView
from core.errors import NotFound
from core.memory.record import sequence_email_item
from core.memory.repeats import Key, RepeatCheck, warning_line
from core.personas.service import PersonaService
from core.posts.crew_gate import CrewState
from core.posts.service import PostService
from core.posts.views import PostView
from core.review_queue.images import QueueImages
from core.review_queue.types import QueueItem, QueueRepeat
from core.sequences.review import SequenceReview
from core.sequences.views import SequenceEmailView
from core.suggestions.models import SuggestionView
from core.suggestions.service import SuggestionService
from domain import statuses as states
from domain.crew import ItemKind
from domain.memory import MemoryKind

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
PAGE = 100
MAX_POSTS = 1000  # handlers.review.posts.MAX_QUEUE: nobody pages through more
MAX_SUGGESTIONS = 1000
MAX_REPLIES = 1000
MAX_EMAILS = 100  # core's page limit for sequence emails, as in /approve


@dataclass(frozen=True)
class Readers:
    suggestions: SuggestionService
    posts: PostService
    replies: ReplyDesk
    emails: SequenceReview
    personas: PersonaService
    images: QueueImages
    repeats: RepeatCheck


def scores_of(state: CrewState) -> dict[str, int] | None:
    report = state.review.report if state.review is not None else None
    if report is None:
        return None
    s = report.scores
    return {"brand": s.brand_alignment, "compliance": s.compliance,
            "readability": s.readability, "overall": s.overall_quality}  # fmt: skip


async def all_items(r: Readers) -> list[QueueItem]:
    return [
        *[await suggestion_item(r, view) for view in await _suggestions(r)],
        *(await post_items(r, await _posts(r))),
        *[await reply_item(r, view) for view in await _replies(r)],
        *[await email_item(r, view) for view in await r.emails.pending_review(limit=MAX_EMAILS)],
    ]


class _Page(Protocol[T_co]):
    @property
    def items(self) -> tuple[T_co, ...]: ...
    @property
    def has_next(self) -> bool: ...


async def _every(fetch: Callable[[int], Awaitable[_Page[T]]], most: int) -> list[T]:
    """Every page of a list, up to `most` items; `fetch(offset)` reads one page."""
    items: list[T] = []
    while len(items) < most:
        page = await fetch(len(items))
        items += page.items
        if not page.items or not page.has_next:
            break
    return items


async def _suggestions(r: Readers) -> list[SuggestionView]:
    return await _every(lambda at: r.suggestions.pending(offset=at, limit=PAGE), MAX_SUGGESTIONS)


async def _posts(r: Readers) -> list[PostView]:
    return await _every(lambda at: r.posts.pending_review(offset=at, limit=PAGE), MAX_POSTS)


async def _replies(r: Readers) -> list[ReplyView]:
    return await _every(lambda at: r.replies.waiting(offset=at, limit=PAGE), MAX_REPLIES)


async def suggestion_item(r: Readers, view: SuggestionView) -> QueueItem:
    state = await r.suggestions.crew(view)
    return QueueItem(
        kind=ItemKind.SUGGESTION, id=view.id, title=view.title, text=view.caption,
        persona=None, status=view.status, revision=view.revision, scheduled_at=view.when,
        scores=scores_of(state), needs_confirmation=state.blocks_approval, images=(),
        repeat=await repeat_of(r, MemoryKind.SUGGESTION, view.id, view.caption),
    )  # fmt: skip


async def post_items(r: Readers, views: list[PostView]) -> list[QueueItem]:
    images = await r.images.of_posts([view.id for view in views])
    names: dict[int, str | None] = {}
    items = []
    for view in views:
        state = await r.posts.crew(view)
        items.append(QueueItem(
            kind=ItemKind.POST, id=view.id, title=view.title, text=view.caption,
            persona=await _persona(r, view.persona_id, names), status=view.status,
            revision=view.revision, scheduled_at=view.scheduled_at, scores=scores_of(state),
            needs_confirmation=state.blocks_approval, images=images.get(view.id, ()),
            repeat=await _post_repeat(r, view),
        ))  # fmt: skip
    return items


async def reply_item(r: Readers, view: ReplyView) -> QueueItem:
    state = await r.replies.crew(view)
    sender = view.from_name or view.from_address
    return QueueItem(
        kind=ItemKind.REPLY, id=view.id, title=f"Re: {view.subject} ({sender})",
        text=view.draft or "", persona=None, status=view.status.value, revision=view.revision,
        scheduled_at=None, scores=scores_of(state), needs_confirmation=state.blocks_approval,
        images=(), repeat=await repeat_of(r, MemoryKind.REPLY, view.id, view.draft),
    )  # fmt: skip


async def email_item(r: Readers, view: SequenceEmailView) -> QueueItem:
    state = await r.emails.crew(view)
    title = f"{view.sequence_name} · email #{view.number}: {view.subject or '(no subject yet)'}"
    # Remembered as subject + body (core.memory.record): compared the same way here.
    remembered = sequence_email_item(
        view.id, view.number, view.sequence_name, view.subject, view.body_text
    )
    repeat = await repeat_of(r, remembered.kind, view.id, view.body_text and remembered.text)
    return QueueItem(
        kind=ItemKind.SEQUENCE_EMAIL, id=view.id, title=title, text=view.body_text or "",
        persona=None, status=view.status, revision=view.revision, scheduled_at=view.due_at,
        scores=scores_of(state), needs_confirmation=state.blocks_approval, images=(),
        repeat=repeat,
    )  # fmt: skip


async def repeat_of(
    r: Readers,
    kind: MemoryKind,
    item_id: int,
    text: str | None,
    *,
    persona_id: int | None = None,
    origins: Sequence[Key] = (),
) -> QueueRepeat | None:
    """The chat card's near-repeat check (handlers/common/repeats.py), with the earlier
    item's words for the app to show under the warning."""
    if not text:
        return None
    match = await r.repeats.check(kind, item_id, text, persona_id=persona_id, origins=origins)
    if match is None:
        return None
    earlier = match.item
    return QueueRepeat(warning_line(match), round(match.similarity * 100), earlier.label,
                       earlier.outcome, earlier.text)  # fmt: skip


async def _post_repeat(r: Readers, view: PostView) -> QueueRepeat | None:
    """As the post's card: only while its words may change, never about its own origins."""
    if states.parse(view.status) not in states.EDITABLE:
        return None
    origins = await r.repeats.post_origins(view.id, view.suggestion_id)
    return await repeat_of(
        r, MemoryKind.POST, view.id, view.caption, persona_id=view.persona_id, origins=origins
    )


async def _persona(r: Readers, persona_id: int | None, names: dict[int, str | None]) -> str | None:
    if persona_id is None:
        return None
    if persona_id not in names:
        try:
            names[persona_id] = (await r.personas.get(persona_id)).name
        except NotFound:  # deleted meanwhile: the post keeps its words
            names[persona_id] = None
    return names[persona_id]
