"""ComfyUI's error JSON (as recorded from a real server) in plain words."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.comfyui import ImageRef
from core.comfyui.messages import outcome_from_history, validation_problems
from tests.data import COMFYUI_RECORDINGS

HTTP: dict[str, Any] = json.loads((COMFYUI_RECORDINGS / "http_samples.json").read_text())


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "unknown_class",
            ["Cannot execute because node NoSuchNode does not exist. (Node ID '#1')"],
        ),
        (
            "missing_input",
            [
                "Node 1 (EmptyImage): Required input is missing: color",
                "Node 2 (SaveImage): Required input is missing: filename_prefix",
            ],
        ),
        ("no_output_node", ["Prompt has no outputs"]),
        (
            "value_out_of_range",
            ["Node 1 (EmptyImage): width: Value 0 smaller than min of 1 (got 0)"],
        ),
        (
            "wrong_type",
            [
                "Node 1 (EmptyImage): width: Failed to convert an input value to a INT value "
                "(got 'abc')"
            ],
        ),
        (
            "checkpoint_not_in_list",
            [
                "Node 1 (CheckpointLoaderSimple): ckpt_name 'sd15.safetensors' is not available "
                "on the server (it has none installed)"
            ],
        ),
        ("dangling_link", ["Node 2 (SaveImage): Exception when validating node: '99'"]),
        ("no prompt key", ["No prompt provided"]),
    ],
)
def test_recorded_400_bodies_become_plain_lines(case: str, expected: list[str]) -> None:
    key = f"POST /prompt invalid: {case}"

    assert validation_problems(HTTP[key]["body"]) == expected


def test_a_recorded_runtime_error_has_no_traceback() -> None:
    body = HTTP["GET /history/{id} runtime-error"]["body"]
    prompt_id = next(iter(body))

    outcome = outcome_from_history(prompt_id, body)

    assert outcome is not None and outcome.status == "error"
    assert outcome.error == (
        "Node 1 (LoadImage) failed: cannot identify image file '/srv/comfyui/input/broken.png'"
    )


def test_recorded_histories() -> None:
    good = HTTP["GET /history/{id} (good)"]["body"]
    prompt_id = next(iter(good))

    outcome = outcome_from_history(prompt_id, good)

    assert outcome is not None and outcome.ok and not outcome.cached
    assert outcome.images == (ImageRef("bbtest_00003_.png"), ImageRef("bbtest_00004_.png"))
    assert outcome_from_history(prompt_id, HTTP["GET /history/does-not-exist"]["body"]) is None


def test_a_recorded_interrupt() -> None:
    recorded = json.loads((COMFYUI_RECORDINGS / "queue_interrupt.json").read_text())
    body = {"p": {"outputs": {}, "status": recorded["history status (interrupted)"]}}

    outcome = outcome_from_history("p", body)

    assert outcome is not None and outcome.status == "interrupted"
    assert outcome.error == "The run was interrupted at node 2 (ImageAddNoise)"
