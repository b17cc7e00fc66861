"""Helpers to build template files in tmp_path."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

# A small, valid template; tests copy it and break one thing at a time.
GOOD: dict[str, Any] = {
    "name": "good",
    "description": "A template for tests",
    "variables": {
        "topic": {"description": "What to write about"},
        "items": {"description": "Optional list", "required": False, "default": []},
    },
    "params": {"temperature": 0.5, "max_tokens": 100},
    "system": "You write about {{ topic }}.",
    "user": (
        "Items:\n{% for item in items %}\n- {{ item }}\n{% else %}\nNo items yet.\n{% endfor %}"
    ),
    "variants": [
        {"name": "a", "weight": 50},
        {"name": "b", "weight": 50, "system": "Be playful about {{ topic }}.", "params": {}},
    ],
}


def good_template(**overrides: Any) -> dict[str, Any]:
    body = copy.deepcopy(GOOD)
    body.update(overrides)
    return body


def write_template(directory: Path, body: dict[str, Any], *, file_name: str | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{file_name or body['name']}.yaml"
    path.write_text(yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
    return path
