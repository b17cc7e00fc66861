"""The JSON Schemas in schemas/flows are up to date and usable outside Python."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.flows.guide import NODE_GUIDE, node_guide
from core.flows.models import STEP_TYPES
from core.flows.schemas import SCHEMA_DIR, main, outdated, render_schemas, write
from core.flows.validate import EVENT_TYPES
from tests.flows.samples import winback

jsonschema: Any = pytest.importorskip("jsonschema")


def test_files_are_up_to_date() -> None:
    assert outdated() == [], "run: python -m core.flows.schemas"
    assert main(["--check"]) == 0


def test_one_file_per_node_type_and_the_flow() -> None:
    assert sorted(render_schemas()) == sorted(
        [f"{kind}.json" for kind in STEP_TYPES] + ["flow.json"]
    )


def test_check_finds_missing_changed_and_extra_files(tmp_path: Path) -> None:
    write(tmp_path)
    assert outdated(tmp_path) == []
    (tmp_path / "delay.json").write_text("{}", "utf-8")
    (tmp_path / "end.json").unlink()
    (tmp_path / "wait.json").write_text("{}", "utf-8")
    assert outdated(tmp_path) == ["delay.json", "end.json", "wait.json"]
    write(tmp_path)
    assert outdated(tmp_path) == []


def load(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text("utf-8"))
    return schema


def test_every_sample_step_matches_its_node_schema() -> None:
    for step in winback()["steps"]:
        validator = jsonschema.Draft202012Validator(load(f"{step['type']}.json"))
        assert list(validator.iter_errors(step)) == [], step["id"]
    jsonschema.Draft202012Validator(load("flow.json")).validate(winback())


def test_node_schemas_reject_what_the_models_reject() -> None:
    validator = jsonschema.Draft202012Validator(load("message.json"))
    message = {"id": "a", "type": "message", "content": "Hi", "events": []}
    assert validator.is_valid(message)
    assert not validator.is_valid(message | {"colour": "red"})  # extra fields forbidden
    assert not validator.is_valid(message | {"events": [{"type": "reply", "nextStepID": "b"}]})
    assert not validator.is_valid({k: v for k, v in message.items() if k != "content"})


def test_the_prompt_guide_describes_every_node_type() -> None:
    assert list(NODE_GUIDE) == list(STEP_TYPES)
    assert node_guide().count("\n- ") == len(STEP_TYPES) - 1


def test_event_types_known_to_validation_match_the_models() -> None:
    definitions = load("flow.json")["$defs"]
    consts = {
        body["properties"]["type"]["const"]
        for name, body in definitions.items()
        if name.endswith("Event")
    }
    assert consts == set(EVENT_TYPES)
