"""Approved, edited, rejected and published items into semantic memory.

The item services call these after their decision has committed (core.posts.service,
core.suggestions.service, core.emaildesk.replies, core.sequences.review, core.flows.service,
core.content.service, and the publishing sweep), so the REST API's decisions are remembered
as well as the cards'. Remembering never fails a decision: MemoryService.remember logs and
returns, and the recorder itself guards against anything else going wrong.

An item is remembered by its words (what a near-repeat would repeat) and a label a card
can name it by: "the post of 3 Oct", "sequence email #2 of Daily tips".
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.memory.link import MemoryLink
from domain.memory import MemoryEvent, MemoryKind
from storage.repos import posts as post_repo
from storage.repos import sequences as sequence_repo
from storage.repos.outcomes import APPROVED_AFTER_EDIT

log = logging.getLogger(__name__)

# An SMS message's item id: its flow's id times this, plus its step's place in the flow
# (flows have far fewer steps), so one flow's messages never collide with another's.
SMS_ID_FACTOR = 1000
# How a card names a /write piece by its content type ("the blog post of 3 Oct").
CONTENT_NAMES = {"social_media": "social media post", "ad_copy": "ad", "email": "email text"}


@dataclass(frozen=True)
class Item:
    """One item as memory keeps it."""

    kind: MemoryKind
    item_id: int
    persona_id: int | None
    text: str
    label: str


def approval_event(outcome: str | None) -> MemoryEvent:
    """The event an approval is: EDITED when a person changed the model's words first
    (the prompt experiments' outcome of the decision), else APPROVED."""
    return MemoryEvent.EDITED if outcome == APPROVED_AFTER_EDIT else MemoryEvent.APPROVED


def day(at: datetime, tz: ZoneInfo) -> str:
    """'3 Oct': how a card dates an earlier item."""
    local = at.astimezone(tz)
    return f"{local.day} {local:%b}"


def post_item(
    post_id: int, persona_id: int | None, caption: str, at: datetime, tz: ZoneInfo
) -> Item:
    label = f"the post of {day(at, tz)}"
    return Item(MemoryKind.POST, post_id, persona_id, caption, label)


def suggestion_item(suggestion_id: int, caption: str, at: datetime, tz: ZoneInfo) -> Item:
    # Post ideas belong to no persona (/suggest writes for the channel).
    label = f"the post idea of {day(at, tz)}"
    return Item(MemoryKind.SUGGESTION, suggestion_id, None, caption, label)


def reply_item(reply_id: int, to: str, draft: str, at: datetime, tz: ZoneInfo) -> Item:
    label = f"the reply to {to} of {day(at, tz)}"
    return Item(MemoryKind.REPLY, reply_id, None, draft, label)


def sequence_email_item(
    email_id: int, number: int, sequence_name: str, subject: str | None, body: str | None
) -> Item:
    text = "\n\n".join(part for part in (subject, body) if part)
    label = f"sequence email #{number} of {sequence_name}"
    return Item(MemoryKind.SEQUENCE_EMAIL, email_id, None, text, label)


def sms_items(
    flow_id: int, version: int, persona_id: int | None, wire: Mapping[str, Any]
) -> list[Item]:
    """One item per SMS text of a flow version (message, product choice, purchase offer:
    every step with `content`), numbered in the flow's order."""
    steps = wire.get("steps")
    items: list[Item] = []
    for index, step in enumerate(steps if isinstance(steps, list) else []):
        text = step.get("content") if isinstance(step, dict) else None
        if isinstance(text, str) and text.strip():
            label = f"SMS {len(items) + 1} of flow #{flow_id} (v{version})"
            item_id = flow_id * SMS_ID_FACTOR + index
            items.append(Item(MemoryKind.SMS, item_id, persona_id, text, label))
    return items


def sms_ids(flow_id: int) -> range:
    """Every item id an SMS text of this flow can have, in any version."""
    return range(flow_id * SMS_ID_FACTOR, (flow_id + 1) * SMS_ID_FACTOR)


def content_item(
    content_id: int, persona_id: int | None, kind_name: str, text: str, at: datetime, tz: ZoneInfo
) -> Item:
    named = CONTENT_NAMES.get(kind_name, kind_name.replace("_", " "))
    label = f"the {named} of {day(at, tz)}"
    return Item(MemoryKind.CONTENT, content_id, persona_id, text, label)


@runtime_checkable
class Forgets(Protocol):
    """Memory that can drop items (MemoryService; a read-only stand-in need not)."""

    async def forget_others(self, kind: MemoryKind, ids: range, keep: Collection[int]) -> None: ...


class MemoryRecorder:
    """Hands items to memory; a no-op while memory is off or not connected."""

    def __init__(self, link: MemoryLink | None = None, tz: ZoneInfo | None = None) -> None:
        self.link = link or MemoryLink()
        self.tz = tz or ZoneInfo("UTC")

    async def record(self, item: Item, event: MemoryEvent, at: datetime) -> None:
        await self.record_all([item], event, at)

    async def record_all(self, items: Iterable[Item], event: MemoryEvent, at: datetime) -> None:
        memory = self.link.memory
        if memory is None:
            return
        for item in items:
            if not item.text.strip():
                continue
            try:
                await memory.remember(
                    kind=item.kind, item_id=item.item_id, persona_id=item.persona_id,
                    text=item.text, label=item.label, event=event, at=at,
                )  # fmt: skip
            except Exception:
                # remember() promises not to raise; a decision must never fail on memory.
                log.exception("memory: could not remember", extra={"kind": str(item.kind)})

    async def record_version(
        self, items: Sequence[Item], event: MemoryEvent, at: datetime, *, kind: MemoryKind,
        ids: range,
    ) -> None:  # fmt: skip
        """A whole's parts (a flow version's SMS texts: `kind` items numbered in `ids`) as
        they are now: `items` recorded, and the parts an earlier version had beyond them
        forgotten, so a text the flow no longer sends is neither warned about nor shown to
        prompts as approved."""
        await self.record_all(items, event, at)
        memory = self.link.memory
        if not isinstance(memory, Forgets):
            return
        keep = {item.item_id for item in items}
        try:
            await memory.forget_others(kind, ids, keep)
        except Exception:
            # forget_others() promises not to raise; a decision must never fail on memory.
            log.exception("memory: could not forget", extra={"kind": str(kind)})


class PublishedPosts:
    """The publishing side's hook: a post that went out is remembered as published (the
    sweep knows only its id, so the caption is read back)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], recorder: MemoryRecorder
    ) -> None:
        self._sessions = sessions
        self._recorder = recorder

    async def __call__(self, post_id: int, at: datetime) -> None:
        if self._recorder.link.memory is None:
            return
        try:
            async with self._sessions() as session:
                row = await post_repo.get(session, post_id)
        except Exception:
            log.exception("memory: could not read a published post", extra={"post_id": post_id})
            return
        if row is not None:
            post = row.post
            item = post_item(post.id, post.persona_id, post.caption, at, self._recorder.tz)
            await self._recorder.record(item, MemoryEvent.PUBLISHED, at)


class SentSequenceEmails:
    """The mailing side's hook: sequence emails sent to their whole list are remembered as
    published."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], recorder: MemoryRecorder
    ) -> None:
        self._sessions = sessions
        self._recorder = recorder

    async def __call__(self, email_ids: list[int], at: datetime) -> None:
        if self._recorder.link.memory is None:
            return
        try:
            items = await self._items(email_ids)
        except Exception:
            log.exception("memory: could not read sent sequence emails")
            return
        await self._recorder.record_all(items, MemoryEvent.PUBLISHED, at)

    async def _items(self, email_ids: list[int]) -> list[Item]:
        items = []
        async with self._sessions() as session:
            for email_id in email_ids:
                row = await sequence_repo.email(session, email_id)
                sequence = await sequence_repo.get(session, row.sequence_id) if row else None
                if row is not None and sequence is not None:
                    items.append(
                        sequence_email_item(
                            row.id, row.number, sequence.name, row.subject, row.body_text
                        )
                    )
        return items
