"""litellm's default tiktoken encoding is built on first use, not at `import litellm`.

Each test runs in a fresh interpreter: the deferral only works before litellm is
imported, and the test process has imported it long before.
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
import json, os, sys, threading, types
import tiktoken
from tiktoken import registry
from core.llm import lazy_package, lazy_tokenizer, provider

out = {}
runs = []
execute = lazy_package._execute
def counting_execute(module):
    if module.__name__ == lazy_tokenizer.MODULE:
        runs.append(threading.get_ident())
    execute(module)
lazy_package._execute = counting_execute

litellm = provider.load_litellm()
module = sys.modules[lazy_tokenizer.MODULE]
out["after_import"] = {
    "built": sorted(registry.ENCODINGS),
    "loaded": lazy_tokenizer.is_loaded(),
    "stand_in": type(module) is not types.ModuleType,
}
out["cache_dir"] = os.environ.get("TIKTOKEN_CACHE_DIR")
package_dir = os.path.dirname(litellm.__file__)
out["bundled_dir"] = os.path.join(package_dir, "litellm_core_utils", "tokenizers")

messages = [{"role": "user", "content": "hello world"}]
o200k = tiktoken.get_encoding("o200k_base")
out["gpt_4o_mini"] = {
    "counted": litellm.token_counter(model="gpt-4o-mini", messages=messages),
    # OpenAI's chat count: 3 a message, its role and content, 3 to prime the reply.
    "expected": 3 + len(o200k.encode("user")) + len(o200k.encode("hello world")) + 3,
    "loaded": lazy_tokenizer.is_loaded(),  # o200k comes from tiktoken, not the module
}

# The first use of the default encoding, from eight threads at once.
text = "hello world <|endoftext|>"
barrier = threading.Barrier(8)
counts = []
def count():
    barrier.wait()
    counts.append(litellm.token_counter(model=None, text=text))
threads = [threading.Thread(target=count) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
cl100k = tiktoken.get_encoding("cl100k_base")
real = sys.modules[lazy_tokenizer.MODULE]
out["default_encoding"] = {
    "counts": counts,
    "expected": len(cl100k.encode(text, disallowed_special=())),
    "runs": len(runs),
    # The module's own code ran in place: the registered module now is the real one.
    "real": real is module and lazy_tokenizer.is_loaded(),
    "attribute": litellm.litellm_core_utils.default_encoding is real,
    "same_encoding": real.encoding is cl100k,
    "filename": real.filename,
    "cache_dir": real.cache_dir,
}
# litellm.encode picks tiktoken's arguments by isinstance(encoding, tiktoken.Encoding).
out["encode"] = litellm.encode(model="", text=text) == cl100k.encode(text, disallowed_special=())
out["stand_in_now_real"] = module.encoding is cl100k
print("RESULT " + json.dumps(out))
"""


def _run(script: str, **env: str) -> dict[str, Any]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TIKTOKEN_CACHE_DIR", "CUSTOM_TIKTOKEN_CACHE_DIR")
    }
    environ.update(LITELLM_LOCAL_MODEL_COST_MAP="True", **env)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    [line] = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    found: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    return found


def test_encoding_is_built_on_first_use_and_counts_as_before() -> None:
    out = _run(_SCRIPT)

    assert out["after_import"] == {"built": [], "loaded": False, "stand_in": True}
    # Set at install as litellm's module sets it, so tiktoken reads the bundled files.
    assert out["cache_dir"] == out["bundled_dir"]
    gpt_4o_mini = out["gpt_4o_mini"]
    assert gpt_4o_mini["counted"] == gpt_4o_mini["expected"]
    assert gpt_4o_mini["loaded"] is False
    default = out["default_encoding"]
    assert default["counts"] == [default["expected"]] * 8
    assert default["runs"] == 1
    assert (default["real"], default["attribute"], default["same_encoding"]) == (True, True, True)
    assert default["filename"] == default["cache_dir"] == out["bundled_dir"]
    assert out["encode"] is True
    assert out["stand_in_now_real"] is True


def test_custom_cache_dir_is_honoured_and_created(tmp_path: Path) -> None:
    custom = tmp_path / "tiktoken-cache"
    script = (
        "import json, os\n"
        "from core.llm import lazy_tokenizer, provider\n"
        "provider.load_litellm()\n"
        "out = {'cache_dir': os.environ['TIKTOKEN_CACHE_DIR'],"
        " 'loaded': lazy_tokenizer.is_loaded()}\n"
        "print('RESULT ' + json.dumps(out))\n"
    )

    out = _run(script, CUSTOM_TIKTOKEN_CACHE_DIR=str(custom))

    assert out == {"cache_dir": str(custom), "loaded": False}
    assert custom.is_dir()
