"""Plain objects that cross the ComfyUI boundary, and the interface services depend on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Workflow = dict[str, Any]
"""An API-format workflow: node id -> {"class_type": str, "inputs": {...}}."""


@dataclass(frozen=True)
class ImageRef:
    """Where an output image lives on the server; the three query parameters of GET /view."""

    filename: str
    subfolder: str = ""
    type: str = "output"


@dataclass(frozen=True)
class SubmitResult:
    prompt_id: str
    """The id to watch. Normally ours; a server older than ~0.3.4x ignores it and makes one up."""
    number: float | None
    """Queue number the server gave the job; None when it was already known."""
    already_known: bool
    """True when the server already had this prompt_id (queued, running or finished)."""
    warnings: tuple[str, ...] = ()
    """Per-node validation problems on a 200 answer (some outputs were dropped)."""


@dataclass(frozen=True)
class Progress:
    prompt_id: str
    nodes_done: int
    nodes_total: int | None
    """None when this client did not submit the run and so does not know the workflow."""
    node: str | None = None
    """The node running now."""
    node_type: str | None = None
    step: int | None = None
    """Sampler step within the running node (from `progress` frames)."""
    steps: int | None = None
    images: tuple[ImageRef, ...] = ()
    """Images reported so far by `executed` frames (the final list comes from history)."""

    @property
    def percent(self) -> float | None:
        if not self.nodes_total:
            return None
        done = float(self.nodes_done)
        if self.step is not None and self.steps:
            done += self.step / self.steps
        return min(100.0, 100.0 * done / self.nodes_total)


RunStatus = Literal["success", "error", "interrupted"]


@dataclass(frozen=True)
class RunOutcome:
    prompt_id: str
    status: RunStatus
    images: tuple[ImageRef, ...] = ()
    error: str | None = None
    """Plain-words reason when status is not "success" (no traceback)."""
    cached: bool = False
    """Every output node came from ComfyUI's cache: the images are old files, none is new."""

    @property
    def ok(self) -> bool:
        return self.status == "success"


ProgressCallback = Callable[[Progress], Awaitable[None]]


class ComfyAPI(Protocol):
    """What services need from ComfyUI; bot.adapters.comfyui.ComfyClient implements it."""

    async def submit(self, workflow: Mapping[str, Any], prompt_id: str) -> SubmitResult: ...

    async def watch(
        self, prompt_id: str, on_progress: ProgressCallback | None = None
    ) -> RunOutcome: ...

    async def history(self, prompt_id: str) -> RunOutcome | None: ...

    async def cancel(self, prompt_id: str) -> None: ...

    async def close(self) -> None: ...

    async def fetch_image(self, ref: ImageRef) -> bytes: ...

    async def system_ok(self) -> bool: ...
