"""API-format workflow templates: load, check the shape, fill the placeholders.

An input is replaced only when its whole value is one of the placeholder strings below;
"a photo of {{prompt}}" is refused at load time rather than silently sent as it is.

Without "{{seed}}" every run of the same post sends an identical workflow. ComfyUI then
answers from its cache: nothing runs and the *old* filenames come back. Such a template
loads (`WorkflowTemplate.seeded` is False) so callers can refuse "regenerate" up front, and
`RunOutcome.cached` marks a run that produced no new image in any case.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from core.comfyui.errors import WorkflowError
from core.comfyui.types import Workflow

TEXT_PLACEHOLDERS = {"{{prompt}}": "prompt", "{{negative_prompt}}": "negative_prompt"}
INT_PLACEHOLDERS = {
    "{{seed}}": "seed",
    "{{width}}": "width",
    "{{height}}": "height",
    "{{batch_size}}": "batch_size",
}
PLACEHOLDERS = frozenset(TEXT_PLACEHOLDERS) | frozenset(INT_PLACEHOLDERS)
_LOOKS_LIKE_PLACEHOLDER = re.compile(r"\{\{\s*\w+\s*\}\}")
# KSampler accepts 0..2**64-1; staying under 2**53 keeps the value exact in JavaScript UIs.
_SEED_LIMIT = 2**53
DEFAULT_WORKFLOW = "default_workflow.json"


@dataclass(frozen=True)
class WorkflowTemplate:
    nodes: Mapping[str, Any]
    """The checked template. Treat as read-only: `fill` always works on a deep copy."""
    source: str

    @property
    def placeholders(self) -> frozenset[str]:
        return frozenset(_placeholders(self.nodes))

    @property
    def seeded(self) -> bool:
        """False: every run of the same texts is identical and ComfyUI will serve it cached."""
        return "{{seed}}" in self.placeholders

    def fill(
        self,
        *,
        prompt: str,
        negative_prompt: str,
        seed: int,
        width: int,
        height: int,
        batch_size: int,
    ) -> Workflow:
        return fill(
            self.nodes,
            prompt=prompt,
            negative_prompt=negative_prompt,
            seed=seed,
            width=width,
            height=height,
            batch_size=batch_size,
        )


def new_seed() -> int:
    return secrets.randbelow(_SEED_LIMIT)


async def load_workflow(path: Path | None = None) -> WorkflowTemplate:
    """Read `path` (COMFYUI_WORKFLOW) or the bundled default, off the event loop."""
    if path is None:
        text = await asyncio.to_thread(_read_default)
        return parse_workflow(json.loads(text), source=f"bundled {DEFAULT_WORKFLOW}")
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except OSError as exc:
        raise WorkflowError(f"Cannot read the workflow file {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise WorkflowError(
            f"The workflow file {path} is not valid JSON (line {exc.lineno}, "
            f"column {exc.colno}: {exc.msg})"
        ) from exc
    return parse_workflow(data, source=str(path))


def _read_default() -> str:
    return resources.files(__package__).joinpath(DEFAULT_WORKFLOW).read_text(encoding="utf-8")


def parse_workflow(data: object, *, source: str = "workflow") -> WorkflowTemplate:
    problems = workflow_problems(data)
    if problems:
        raise WorkflowError(f"The workflow ({source}) is unusable: " + "; ".join(problems))
    assert isinstance(data, dict)
    return WorkflowTemplate(nodes=copy.deepcopy(data), source=source)


def workflow_problems(data: object) -> list[str]:
    """Everything wrong with a would-be template, in plain words (empty when it is fine)."""
    if not isinstance(data, dict):
        return ["it must be a JSON object of node id -> {class_type, inputs}"]
    if "nodes" in data and "links" in data:
        # The UI's own save format; ComfyUI's /prompt only takes the API format.
        return ["this is a UI-format workflow; in ComfyUI use 'Export (API)' and use that file"]
    if not data:
        return ["it has no nodes"]
    problems = [p for node_id, node in data.items() for p in _node_problems(data, node_id, node)]
    if not problems and "{{prompt}}" not in _placeholders(data):
        problems.append(
            'no input has the value "{{prompt}}", so the image prompt would never reach ComfyUI'
        )
    return problems


def _node_problems(workflow: dict[str, Any], node_id: str, node: object) -> Iterator[str]:
    if not isinstance(node, dict):
        yield f"node {node_id} must be an object with class_type and inputs"
        return
    class_type = node.get("class_type")
    if not isinstance(class_type, str) or not class_type:
        yield f"node {node_id} has no class_type"
        return
    inputs = node.get("inputs")
    if not isinstance(inputs, dict):
        yield f"node {node_id} ({class_type}) has no inputs object"
        return
    where = f"node {node_id} ({class_type}) input {{name}}"
    for name, value in inputs.items():
        if _is_link(value) and value[0] not in workflow:
            yield f"{where.format(name=name)} links to node {value[0]}, which does not exist"
        elif _near_placeholder(value):
            yield (
                f"{where.format(name=name)} is {value!r}: only an input whose whole value "
                f"is one of {', '.join(sorted(PLACEHOLDERS))} is replaced"
            )


def _near_placeholder(value: object) -> bool:
    """ "a photo of {{prompt}}" or "{{ seed }}": would be sent as it is, surely a mistake."""
    return (
        isinstance(value, str)
        and value not in PLACEHOLDERS
        and _LOOKS_LIKE_PLACEHOLDER.search(value) is not None
    )


def _is_link(value: object) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], int)
    )


def _placeholders(workflow: Mapping[str, Any]) -> Iterator[str]:
    for node in workflow.values():
        for value in node["inputs"].values():
            if isinstance(value, str) and value in PLACEHOLDERS:
                yield value


def fill(
    workflow: Mapping[str, Any],
    *,
    prompt: str,
    negative_prompt: str,
    seed: int,
    width: int,
    height: int,
    batch_size: int,
) -> Workflow:
    """A filled deep copy of `workflow`; the template itself is never changed."""
    problems = workflow_problems(dict(workflow))
    if problems:
        raise WorkflowError("The workflow is unusable: " + "; ".join(problems))
    values = _values(prompt, negative_prompt, seed, width, height, batch_size)
    filled: Workflow = copy.deepcopy(dict(workflow))
    for node in filled.values():
        inputs = node["inputs"]
        for name, value in inputs.items():
            if isinstance(value, str) and value in values:
                inputs[name] = values[value]
    return filled


def _values(
    prompt: str, negative_prompt: str, seed: int, width: int, height: int, batch_size: int
) -> dict[str, str | int]:
    numbers = {"seed": seed, "width": width, "height": height, "batch_size": batch_size}
    for name, number in numbers.items():
        # bool is an int subclass; True as a width is a bug upstream, not a value.
        if isinstance(number, bool) or not isinstance(number, int):
            raise WorkflowError(f"{name} must be an integer, got {number!r}")
    if not 0 <= seed < 2**64:
        raise WorkflowError(f"seed must be between 0 and 2**64-1, got {seed}")
    for name in ("width", "height", "batch_size"):
        if numbers[name] < 1:
            raise WorkflowError(f"{name} must be at least 1, got {numbers[name]}")
    texts = {"prompt": prompt, "negative_prompt": negative_prompt}
    for name, text in texts.items():
        if not isinstance(text, str):
            raise WorkflowError(f"{name} must be text, got {type(text).__name__}")
    by_name: dict[str, str | int] = {**texts, **numbers}
    return {
        placeholder: by_name[name]
        for placeholder, name in (TEXT_PLACEHOLDERS | INT_PLACEHOLDERS).items()
    }
