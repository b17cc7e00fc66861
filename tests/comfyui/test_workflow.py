"""Workflow templates: loading, shape checks, and placeholder filling."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from core.comfyui import WorkflowError, fill, load_workflow, new_seed, parse_workflow

VALUES: dict[str, Any] = {
    "prompt": "a red bicycle",
    "negative_prompt": "blurry",
    "seed": 1234,
    "width": 640,
    "height": 480,
    "batch_size": 3,
}


def _template(**inputs: Any) -> dict[str, Any]:
    return {
        "1": {"class_type": "CLIPTextEncode", "inputs": {"text": "{{prompt}}", "clip": ["2", 1]}},
        "2": {"class_type": "Anything", "inputs": inputs},
    }


@pytest.mark.parametrize(
    ("placeholder", "expected"),
    [
        ("{{prompt}}", "a red bicycle"),
        ("{{negative_prompt}}", "blurry"),
        ("{{seed}}", 1234),
        ("{{width}}", 640),
        ("{{height}}", 480),
        ("{{batch_size}}", 3),
    ],
)
def test_each_placeholder_is_replaced_with_the_right_type(placeholder: str, expected: Any) -> None:
    filled = fill(_template(value=placeholder), **VALUES)

    assert filled["2"]["inputs"]["value"] == expected
    assert type(filled["2"]["inputs"]["value"]) is type(expected)


@pytest.mark.parametrize(
    "value",
    ["{{ prompt }}", "a photo of {{prompt}}", "{{seed}} ", "{{unknown}}"],
)
def test_near_placeholders_are_refused_not_sent_as_is(value: str) -> None:
    with pytest.raises(WorkflowError, match="only an input whose whole value"):
        parse_workflow(_template(value=value))


@pytest.mark.parametrize(
    "value", ["plain text", "{prompt}", 7, 1.5, None, True, ["1", 0], {"nested": "{{prompt}}"}]
)
def test_other_values_are_left_alone(value: Any) -> None:
    filled = fill(_template(value=value), **VALUES)

    assert filled["2"]["inputs"]["value"] == value


def test_the_template_is_never_mutated() -> None:
    template = _template(seed="{{seed}}", size="{{width}}")
    before = copy.deepcopy(template)

    first = fill(template, **VALUES)
    second = fill(template, **(VALUES | {"seed": 99}))

    assert template == before
    assert first["2"]["inputs"]["seed"] == 1234
    assert second["2"]["inputs"]["seed"] == 99


def test_a_workflow_without_the_prompt_placeholder_is_refused() -> None:
    workflow = {"1": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x"}}}

    with pytest.raises(WorkflowError, match=r'no input has the value "\{\{prompt\}\}"'):
        parse_workflow(workflow)
    with pytest.raises(WorkflowError, match="prompt"):
        fill(workflow, **VALUES)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({}, "has no nodes"),
        ({"nodes": [], "links": []}, "UI-format workflow"),
        ({"1": "x"}, "node 1 must be an object"),
        ({"1": {"inputs": {}}}, "node 1 has no class_type"),
        ({"1": {"class_type": "X"}}, r"node 1 \(X\) has no inputs object"),
        (
            {"1": {"class_type": "X", "inputs": {"text": "{{prompt}}", "i": ["99", 0]}}},
            "input i links to node 99, which does not exist",
        ),
    ],
)
def test_bad_shapes_are_explained(data: object, message: str) -> None:
    with pytest.raises(WorkflowError, match=message):
        parse_workflow(data)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("seed", -1, "seed must be between"),
        ("seed", 2**64, "seed must be between"),
        ("width", 0, "width must be at least 1"),
        ("batch_size", True, "batch_size must be an integer"),
        ("height", "512", "height must be an integer"),
        ("prompt", 5, "prompt must be text"),
    ],
)
def test_bad_values_are_refused(field: str, value: Any, message: str) -> None:
    with pytest.raises(WorkflowError, match=message):
        fill(_template(), **(VALUES | {field: value}))


def test_seedless_template_loads_but_says_so() -> None:
    template = parse_workflow(_template())

    assert template.placeholders == {"{{prompt}}"}
    assert not template.seeded


async def test_default_workflow_loads_and_fills() -> None:
    template = await load_workflow()

    assert template.seeded
    assert template.placeholders == {
        "{{prompt}}",
        "{{negative_prompt}}",
        "{{seed}}",
        "{{width}}",
        "{{height}}",
        "{{batch_size}}",
    }
    classes = sorted(node["class_type"] for node in template.nodes.values())
    assert classes == [
        "CLIPTextEncode",
        "CLIPTextEncode",
        "CheckpointLoaderSimple",
        "EmptyLatentImage",
        "KSampler",
        "SaveImage",
        "VAEDecode",
    ]
    filled = template.fill(**VALUES)
    assert "{{" not in json.dumps(filled)
    latent = next(n for n in filled.values() if n["class_type"] == "EmptyLatentImage")
    assert latent["inputs"] == {"width": 640, "height": 480, "batch_size": 3}


async def test_load_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_text(json.dumps(_template(seed="{{seed}}")), encoding="utf-8")

    template = await load_workflow(path)

    assert template.seeded
    assert template.source == str(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "Cannot read the workflow file"), ("{not json", "is not valid JSON \\(line 1")],
)
async def test_unreadable_files_are_explained(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "wf.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(WorkflowError, match=message):
        await load_workflow(path)


def test_new_seeds_differ_and_fit_javascript() -> None:
    seeds = {new_seed() for _ in range(50)}

    assert len(seeds) == 50
    assert all(0 <= s < 2**53 for s in seeds)
