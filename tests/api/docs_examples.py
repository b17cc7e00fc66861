"""The request examples in docs/API.md, so the tests prove the documentation works."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "API.md"


def example(name: str) -> Any:
    text = API_DOC.read_text(encoding="utf-8")
    match = re.search(rf"<!-- example: {name} -->\s*```json\n(.*?)\n```", text, re.DOTALL)
    assert match is not None, f"docs/API.md has no example named {name}"
    return json.loads(match.group(1))
