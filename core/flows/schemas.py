"""The JSON Schemas of the flow, generated from the pydantic models into `schemas/flows/`:
one file per node type (`message.json`, ...) and `flow.json` for the whole flow.

The files are for flow engines and people outside Python; the models stay the source of
truth. Regenerate after changing a model:

    python -m core.flows.schemas          # write the files
    python -m core.flows.schemas --check  # exit 1 when a file is out of date (CI, tests)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from core.flows.models import STEP_MODELS, Flow

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas" / "flows"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def node_schema(step_type: str) -> dict[str, Any]:
    schema = STEP_MODELS[step_type].model_json_schema(by_alias=True)
    return {"$schema": DIALECT, "$id": f"{step_type}.json", **schema}


def render_schemas() -> dict[str, str]:
    """File name → text, for every node type and the flow; stable, so diffs mean changes."""
    schemas = {f"{kind}.json": node_schema(kind) for kind in STEP_MODELS}
    schemas["flow.json"] = {
        "$schema": DIALECT,
        "$id": "flow.json",
        **Flow.model_json_schema(by_alias=True),
    }
    return {
        name: json.dumps(body, indent=2, ensure_ascii=False) + "\n"
        for name, body in schemas.items()
    }


def outdated(directory: Path = SCHEMA_DIR) -> list[str]:
    """Names of files that are missing, different or no longer generated."""
    expected = render_schemas()
    stale = [
        name
        for name, text in expected.items()
        if not (directory / name).is_file() or (directory / name).read_text("utf-8") != text
    ]
    extra = sorted(path.name for path in directory.glob("*.json") if path.name not in expected)
    return stale + extra


def write(directory: Path = SCHEMA_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    expected = render_schemas()
    for path in directory.glob("*.json"):
        if path.name not in expected:
            path.unlink()
    for name, text in expected.items():
        (directory / name).write_text(text, "utf-8")


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = outdated()
        if stale:
            print(f"Out of date: {', '.join(stale)}; run python -m core.flows.schemas")
        return 1 if stale else 0
    write()
    print(f"Wrote {len(render_schemas())} schemas to {SCHEMA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
