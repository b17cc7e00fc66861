"""What the rest of the app sees of image runs: frozen plain data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from core.comfyui import Progress
from storage.models import ImageRun, ImageRunPost, Post, RunImage


class RunStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


R = RunStatus
IN_FLIGHT = frozenset({R.PENDING, R.RUNNING})
# Cancel gives up on a run: queued, rendering, waiting for a pick, or failed.
CANCELLABLE = frozenset({R.PENDING, R.RUNNING, R.COMPLETED, R.FAILED})
# Regenerate and Edit prompt replace candidates nobody picked; Retry replaces a failure.
REPLACEABLE = frozenset({R.COMPLETED, R.FAILED})
MAX_PROMPT = 2000


@dataclass(frozen=True)
class RunPost:
    id: int
    title: str
    status: str


@dataclass(frozen=True)
class RunView:
    id: int
    prompt_id: str
    status: RunStatus
    image_prompt: str
    seed: int
    batch_size: int
    chat_id: int | None
    status_message_id: int | None
    pick_message_id: int | None
    error: str | None
    picked_position: int | None
    replaced_by_id: int | None
    posts: tuple[RunPost, ...]
    created_at: datetime

    @property
    def post_ids(self) -> tuple[int, ...]:
        return tuple(post.id for post in self.posts)

    @property
    def waiting_for_pick(self) -> bool:
        return (
            self.status == R.COMPLETED
            and self.picked_position is None
            and self.replaced_by_id is None
        )

    @classmethod
    def from_rows(cls, run: ImageRun, links: Sequence[tuple[ImageRunPost, Post]]) -> RunView:
        posts = tuple(RunPost(post.id, post.title, post.status) for _, post in links)
        return cls(
            id=run.id, prompt_id=run.prompt_id, status=RunStatus(run.status),
            image_prompt=run.image_prompt, seed=run.seed, batch_size=run.batch_size,
            chat_id=run.chat_id, status_message_id=run.status_message_id,
            pick_message_id=run.pick_message_id, error=run.error,
            picked_position=run.picked_position, replaced_by_id=run.replaced_by_id,
            posts=posts, created_at=run.created_at,
        )  # fmt: skip


@dataclass(frozen=True)
class ImageView:
    run_id: int
    position: int
    path: Path
    sha256: str
    size_bytes: int
    file_id: str | None
    picked: bool

    @classmethod
    def from_row(cls, row: RunImage, data_dir: Path) -> ImageView:
        return cls(
            run_id=row.run_id, position=row.position, path=data_dir / row.path,
            sha256=row.sha256, size_bytes=row.size_bytes, file_id=row.file_id,
            picked=row.picked,
        )  # fmt: skip


@dataclass(frozen=True)
class RunProgress:
    run_id: int
    nodes_done: int
    nodes_total: int | None
    step: int | None
    steps: int | None
    percent: float | None

    @classmethod
    def of(cls, run_id: int, progress: Progress) -> RunProgress:
        return cls(
            run_id=run_id, nodes_done=progress.nodes_done, nodes_total=progress.nodes_total,
            step=progress.step, steps=progress.steps, percent=progress.percent,
        )  # fmt: skip


@dataclass(frozen=True)
class LinkedPost:
    """What a pick (or a cancel) did to one waiting post."""

    post_id: int
    status: str
    problem: str | None = None


@dataclass(frozen=True)
class PickResult:
    run: RunView
    image: ImageView
    posts: tuple[LinkedPost, ...]


@dataclass(frozen=True)
class CancelResult:
    run: RunView
    posts: tuple[LinkedPost, ...]


@dataclass(frozen=True)
class ImageRequest:
    """Posts that share one image prompt, and so one run."""

    post_ids: tuple[int, ...]
    prompt: str


@dataclass(frozen=True)
class StatusTarget:
    """The chat a run reports to, and its live status message there (if already sent)."""

    chat_id: int
    message_id: int | None = None


@dataclass(frozen=True)
class Delivery:
    """What the chat got of a finished run: the Pick message and each candidate's file id."""

    pick_message_id: int | None
    file_ids: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunPage:
    items: tuple[RunView, ...]
    total: int
