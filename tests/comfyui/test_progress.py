"""RunTracker fed the websocket frames recorded from a real ComfyUI server."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.comfyui.progress import RunTracker
from core.comfyui.types import ImageRef
from tests.data import COMFYUI_RECORDINGS

FRAMES: list[Any] = [
    f["msg"] for f in json.loads((COMFYUI_RECORDINGS / "ws_messages.json").read_text())
]
RUN = "2817c885-dedf-49c1-b62e-be2d34bcafd5"
WORKFLOW = {
    "1": {"class_type": "EmptyImage", "inputs": {}},
    "2": {"class_type": "SaveImage", "inputs": {}},
}


def test_only_this_runs_frames_count_and_the_end_is_seen() -> None:
    tracker = RunTracker(RUN, WORKFLOW)

    updates = [p for frame in FRAMES if (p := tracker.feed(frame)) is not None]

    assert {p.prompt_id for p in updates} == {RUN}
    assert [p.nodes_done for p in updates] == sorted(p.nodes_done for p in updates)
    assert list(dict.fromkeys(p.node_type for p in updates if p.node_type)) == [
        "EmptyImage",
        "SaveImage",
    ]
    assert updates[-1].percent == 100.0
    assert updates[-1].images == (ImageRef("bbtest_00003_.png"), ImageRef("bbtest_00004_.png"))
    assert tracker.finished and tracker.terminal == "execution_success"


@pytest.mark.parametrize(
    ("prompt_id", "terminal"),
    [
        ("118ca7b4-1692-4d9b-a887-93dde2f2ae50", "execution_success"),
        ("d3274c98-c11e-47b5-ba0c-60b963c8f6a0", "execution_error"),
    ],
)
def test_cached_and_failed_runs_end_too(prompt_id: str, terminal: str) -> None:
    tracker = RunTracker(prompt_id)  # a run this client did not submit: total unknown

    updates = [p for frame in FRAMES if (p := tracker.feed(frame)) is not None]

    assert tracker.finished and tracker.terminal == terminal
    assert all(p.nodes_total is None and p.percent is None for p in updates)


@pytest.mark.parametrize(
    "frame",
    [None, "text", {"type": "executing"}, {"type": "status", "data": {"status": {}}}, b"\x00"],
)
def test_odd_frames_are_ignored(frame: object) -> None:
    assert RunTracker(RUN, WORKFLOW).feed(frame) is None


def test_sampler_steps_are_reported() -> None:
    tracker = RunTracker("p", {"3": {"class_type": "KSampler", "inputs": {}}})
    tracker.feed({"type": "executing", "data": {"node": "3", "prompt_id": "p"}})

    step = tracker.feed(
        {"type": "progress", "data": {"value": 5, "max": 20, "prompt_id": "p", "node": "3"}}
    )

    assert step is not None
    assert (step.node_type, step.step, step.steps, step.percent) == ("KSampler", 5, 20, 25.0)
