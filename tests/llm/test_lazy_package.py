"""The OpenAI SDK's `openai.resources` runs its `__init__` only when asked for a name.

Runs in a fresh interpreter: the deferral only works before the package is imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

_SCRIPT = """
import json, sys
from core.llm import provider
from core.llm.lazy_package import defer_init

provider.load_litellm()
def loaded():
    return sorted(m for m in sys.modules if m.startswith("openai.resources."))

out = {"again": defer_init("openai.resources"), "after_import": loaded()}
from openai.resources.chat import AsyncChat  # what the SDK does for a chat completion
out["after_chat"] = loaded()
out["chat_name"] = AsyncChat.__name__

resources = sys.modules["openai.resources"]
out["completions"] = resources.Completions.__name__  # a name only __init__ defines
out["after_init"] = len(loaded())
openai_client = __import__("openai").OpenAI(api_key="x")
out["speech"] = type(openai_client.audio.speech).__name__
try:
    resources.no_such_name
except AttributeError as error:
    out["missing"] = str(error)
print(json.dumps(out))
"""


def _run() -> dict[str, Any]:
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_only_the_chat_resource_loads_until_the_package_is_asked_for_a_name() -> None:
    out = _run()
    assert out["again"] is False  # already registered by load_litellm
    assert out["after_import"] == []
    chat_modules = out["after_chat"]
    assert chat_modules and all(m.startswith("openai.resources.chat") for m in chat_modules)
    assert out["chat_name"] == "AsyncChat"
    # Asked for a name of its own, the package runs __init__ and is then complete.
    assert out["completions"] == "Completions"
    assert out["after_init"] > len(chat_modules) + 50
    assert out["speech"] == "Speech"
    assert "no_such_name" in out["missing"]
