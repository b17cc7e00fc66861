"""Follow one run through ComfyUI's websocket frames and say how far it got.

Frames for other prompts, frames without a prompt id (the `status` broadcasts, the
`executing` replay a server sends on reconnect) and binary previews are ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.comfyui.messages import image_refs
from core.comfyui.types import ImageRef, Progress

Handler = Callable[["RunTracker", dict[str, Any]], None]


class RunTracker:
    def __init__(self, prompt_id: str, workflow: Mapping[str, Any] | None = None) -> None:
        self.prompt_id = prompt_id
        self._types: dict[str, str] = {
            node_id: str(node.get("class_type", "")) for node_id, node in (workflow or {}).items()
        }
        self._total = len(self._types) or None
        self._done: set[str] = set()
        self._node: str | None = None
        self._step: int | None = None
        self._steps: int | None = None
        self._images: list[ImageRef] = []
        self._last: Progress | None = None
        self.terminal: str | None = None
        """"execution_success" / "execution_error" / "execution_interrupted" once seen."""
        self.last_problem: str | None = None
        """Why the socket or a poll failed last; named in ComfyTimeout."""
        self.finished = False
        """The server sent `executing {"node": null}` for this prompt: nothing more will come."""

    def feed(self, frame: object) -> Progress | None:
        """Take one decoded text frame; return a new Progress when something changed."""
        if not isinstance(frame, dict) or not isinstance(frame.get("data"), dict):
            return None
        data: dict[str, Any] = frame["data"]
        handler = _HANDLERS.get(str(frame.get("type")))
        if handler is None or data.get("prompt_id") != self.prompt_id:
            return None
        handler(self, data)
        return self._changed()

    def _changed(self) -> Progress | None:
        progress = Progress(
            prompt_id=self.prompt_id,
            nodes_done=len(self._done),
            nodes_total=self._total,
            node=self._node,
            node_type=self._types.get(self._node) if self._node else None,
            step=self._step,
            steps=self._steps,
            images=tuple(self._images),
        )
        if progress == self._last:
            return None
        self._last = progress
        return progress

    def _on_cached(self, data: dict[str, Any]) -> None:
        self._done.update(str(n) for n in data.get("nodes") or [])

    def _on_progress_state(self, data: dict[str, Any]) -> None:
        nodes = data.get("nodes")
        for node_id, state in (nodes if isinstance(nodes, dict) else {}).items():
            if isinstance(state, dict) and state.get("state") == "finished":
                self._done.add(str(node_id))
        if self._node in self._done:
            # The sampler's last step and its "finished" state say the same thing: count once.
            self._step = self._steps = None

    def _on_executing(self, data: dict[str, Any]) -> None:
        node = data.get("node")
        if node is None:
            self.finished = True
            self._node = None
        else:
            self._node = str(node)
        self._step = self._steps = None

    def _on_progress(self, data: dict[str, Any]) -> None:
        value, maximum = data.get("value"), data.get("max")
        if isinstance(value, int | float) and isinstance(maximum, int | float) and maximum > 0:
            self._step, self._steps = int(value), int(maximum)
            if data.get("node") is not None:
                self._node = str(data["node"])

    def _on_executed(self, data: dict[str, Any]) -> None:
        self._images.extend(image_refs(data.get("output")))
        if data.get("node") is not None:
            self._done.add(str(data["node"]))

    def _on_terminal(self, data: dict[str, Any], event: str) -> None:
        self.terminal = event
        if event == "execution_success" and self._total:
            self._done.update(self._types)
        self._node, self._step, self._steps = None, None, None


def _terminal(event: str) -> Handler:
    return lambda tracker, data: tracker._on_terminal(data, event)


_HANDLERS: dict[str, Handler] = {
    "execution_start": lambda tracker, data: None,
    "execution_cached": RunTracker._on_cached,
    "progress_state": RunTracker._on_progress_state,
    "executing": RunTracker._on_executing,
    "progress": RunTracker._on_progress,
    "executed": RunTracker._on_executed,
    "execution_success": _terminal("execution_success"),
    "execution_error": _terminal("execution_error"),
    "execution_interrupted": _terminal("execution_interrupted"),
}
