"""Turn ComfyUI's JSON (400 bodies, history entries, error events) into plain words and
plain objects. Pure functions: the shapes are those in tests/data/comfyui/CONTRACT.md."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from core.comfyui.types import ImageRef, RunOutcome

_MAX_CHOICES_SHOWN = 5


def validation_problems(body: object) -> list[str]:
    """One line per problem from a POST /prompt 400 body: per node first, else the top error."""
    if not isinstance(body, dict):
        return ["the server gave no reason"]
    problems = list(node_error_lines(body.get("node_errors")))
    return problems or [_top_error(body.get("error"))]


def node_error_lines(node_errors: object) -> Iterator[str]:
    """ "Node 4 (CheckpointLoaderSimple): ckpt_name 'x' is not available on the server"."""
    if not isinstance(node_errors, dict):
        return
    for node_id, entry in node_errors.items():
        if not isinstance(entry, dict):
            continue
        label = f"Node {node_id} ({entry.get('class_type', '?')})"
        for error in entry.get("errors") or []:
            if isinstance(error, dict):
                yield f"{label}: {_node_error(error)}"


def _top_error(error: object) -> str:
    if isinstance(error, str):  # servers before 0.3 sent a bare string
        return error
    if not isinstance(error, dict):
        return "the server gave no reason"
    message = str(error.get("message") or "the server gave no reason")
    details = str(error.get("details") or "")
    return f"{message} ({details})" if details and details != message else message


def _node_error(error: Mapping[str, Any]) -> str:
    kind = error.get("type")
    message = str(error.get("message", ""))
    details = str(error.get("details", ""))
    extra = error.get("extra_info") if isinstance(error.get("extra_info"), dict) else {}
    assert isinstance(extra, dict)
    name = extra.get("input_name", details)
    if kind == "required_input_missing":
        return f"Required input is missing: {details}"
    if kind == "value_not_in_list":
        return f"{name} {extra.get('received_value')!r} is not available on the server" + (
            _choices(extra.get("input_config"))
        )
    if kind in {"value_smaller_than_min", "value_bigger_than_max", "invalid_input_type"}:
        return f"{name}: {message} (got {extra.get('received_value')!r})"
    # exception_during_validation & co: the details are the useful part, never the traceback.
    return f"{message}: {details}" if details else message


def _choices(input_config: object) -> str:
    options = input_config[0] if isinstance(input_config, list) and input_config else None
    if not isinstance(options, list):
        return ""
    if not options:
        return " (it has none installed)"
    shown = ", ".join(repr(o) for o in options[:_MAX_CHOICES_SHOWN])
    hidden = len(options) - _MAX_CHOICES_SHOWN
    more = f" and {hidden} more" if hidden > 0 else ""
    return f" (choose one of {shown}{more})"


def execution_error_text(data: Mapping[str, Any]) -> str:
    """The `execution_error` event in plain words: node, type and message, no traceback."""
    node = f"Node {data.get('node_id', '?')} ({data.get('node_type', '?')})"
    exception_type = str(data.get("exception_type", ""))
    message = str(data.get("exception_message") or "").strip()
    if "OutOfMemory" in exception_type:
        return f"{node} ran out of memory on the image server; try a smaller size or batch"
    short_type = exception_type.rsplit(".", 1)[-1]
    return f"{node} failed: {message or short_type or 'no reason given'}"


def interrupted_text(data: Mapping[str, Any]) -> str:
    if data.get("node_type"):
        return f"The run was interrupted at node {data.get('node_id')} ({data['node_type']})"
    return "The run was interrupted"


def image_refs(outputs: object) -> tuple[ImageRef, ...]:
    """Images from history `outputs` or an `executed` frame's `output`, in the server's order."""
    if not isinstance(outputs, dict):
        return ()
    node_outputs = outputs.values() if "images" not in outputs else [outputs]
    refs: list[ImageRef] = []
    for node_output in node_outputs:
        images = node_output.get("images") if isinstance(node_output, dict) else None
        for image in images or []:
            if isinstance(image, dict) and isinstance(image.get("filename"), str):
                refs.append(
                    ImageRef(
                        filename=image["filename"],
                        subfolder=str(image.get("subfolder") or ""),
                        type=str(image.get("type") or "output"),
                    )
                )
    return tuple(refs)


def outcome_from_history(prompt_id: str, body: object) -> RunOutcome | None:
    """GET /history/{id} -> outcome; None while queued, running or unknown (the body is {})."""
    entry = body.get(prompt_id) if isinstance(body, dict) else None
    if not isinstance(entry, dict):
        return None
    status = entry.get("status") if isinstance(entry.get("status"), dict) else {}
    assert isinstance(status, dict)
    messages = _messages(status.get("messages"))
    images = image_refs(entry.get("outputs"))
    if "execution_error" in messages:
        error = execution_error_text(messages["execution_error"])
        return RunOutcome(prompt_id, "error", images, error=error)
    if "execution_interrupted" in messages:
        error = interrupted_text(messages["execution_interrupted"])
        return RunOutcome(prompt_id, "interrupted", images, error=error)
    if status and status.get("status_str") != "success":
        return RunOutcome(prompt_id, "error", images, error="The run failed (no reason given)")
    return RunOutcome(prompt_id, "success", images, cached=_all_outputs_cached(entry, messages))


def _messages(raw: object) -> dict[str, dict[str, Any]]:
    """History status messages ([[event, data], ...]) keyed by event; the last one wins."""
    found: dict[str, dict[str, Any]] = {}
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, list) and len(item) == 2 and isinstance(item[1], dict):
            found[str(item[0])] = item[1]
    return found


def _all_outputs_cached(entry: Mapping[str, Any], messages: Mapping[str, Any]) -> bool:
    # history "prompt" is [number, prompt_id, workflow, extra_data, output node ids].
    prompt = entry.get("prompt")
    outputs = prompt[4] if isinstance(prompt, list) and len(prompt) > 4 else None
    cached = messages.get("execution_cached", {}).get("nodes")
    if not isinstance(outputs, list) or not outputs or not isinstance(cached, list):
        return False
    return set(outputs) <= set(cached)
