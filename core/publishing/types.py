"""Plain objects the dispatcher hands to publishers, and the one interface they implement."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol, get_args

from core.publishing.errors import PublishRejected

TargetKind = Literal["telegram", "webhook", "email"]
TARGET_KINDS: tuple[str, ...] = get_args(TargetKind)


@dataclass(frozen=True)
class Target:
    """Where a post goes: `telegram:@channel`, `telegram:-100123`, `webhook`, `email:a@b.c`."""

    kind: TargetKind
    address: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.address}" if self.address else self.kind

    @classmethod
    def parse(cls, text: str) -> Target:
        kind, _, address = text.strip().partition(":")
        if kind not in TARGET_KINDS:
            raise ValueError(f"unknown publishing target {text!r}")
        if kind != "webhook" and not address:
            raise ValueError(f"the target {text!r} needs an address after '{kind}:'")
        return cls(kind, address)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ImageRef:
    """The post's picked image: Telegram's file_id if it was uploaded once, and the file."""

    file_id: str | None
    path: Path | None


@dataclass(frozen=True)
class Publication:
    """Exactly what goes out, read from the row at send time (never an older copy)."""

    post_id: int
    target: Target
    title: str
    caption: str
    hashtags: tuple[str, ...]
    format: str | None
    scheduled_at: datetime | None
    image: ImageRef | None = None

    @property
    def idempotency_key(self) -> str:
        """Stable across retries, so a receiver that deduplicates sees one post."""
        return f"post-{self.post_id}"


@dataclass
class Progress:
    """What a publisher has delivered so far: a long text goes out as several messages.

    A retry resumes after the parts already sent instead of sending them twice.
    """

    sent: list[str] = field(default_factory=list)


class Publisher(Protocol):
    async def publish(self, publication: Publication, progress: Progress) -> None:
        """Deliver the parts not yet in `progress.sent`, appending each id once delivered.

        Raises RateLimited, TransientError, OutcomeUnknown or PublishRejected.
        """
        ...


class Publishers:
    """The publisher for each kind of target; a missing kind is a feature that is off."""

    def __init__(self, by_kind: Mapping[str, Publisher], off_reasons: Mapping[str, str]) -> None:
        self._by_kind = dict(by_kind)
        self._off = dict(off_reasons)

    def for_target(self, target: Target) -> Publisher:
        publisher = self._by_kind.get(target.kind)
        if publisher is None:
            raise PublishRejected(self._off.get(target.kind, f"{target.kind} publishing is off"))
        return publisher
