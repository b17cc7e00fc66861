"""Run a module's code (a package's `__init__`) only when a name it defines is asked for.

The OpenAI SDK (which litellm calls for `openai/...` models) reaches its chat resource
with `from .resources.chat import AsyncChat`. Importing `openai.resources.chat` first
runs `openai/resources/__init__.py`, and that imports every resource the SDK has (audio,
batches, evals, realtime, ...): about 430 modules and 12 MiB of memory on the first LLM
call, for the one resource this bot uses (measured in bench/bench_memory.py).

`defer_init("openai.resources")` registers the package without running its `__init__`.
Its subpackages still import as usual (`openai.resources.chat` loads only the chat
resource), and the first time anyone asks the package itself for a name it doesn't have
yet, its code runs in place, so it ends up exactly as if it had been imported normally.
`defer(spec)` does the same for any module spec (core/llm/lazy_tokenizer.py uses it).
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from importlib.machinery import ModuleSpec
from typing import Any

_lock = threading.RLock()  # the first use may come from a worker thread


def defer_init(name: str) -> bool:
    """Register package `name` with its `__init__` deferred; False if it can't be (or is
    already imported, when there is nothing left to defer)."""
    if name in sys.modules:
        return False
    try:
        spec = importlib.util.find_spec(name)  # imports the parents, not the package
    except (ImportError, ValueError):
        return False
    if spec is None or spec.loader is None or not spec.submodule_search_locations:
        return False
    defer(spec)
    return True


def defer(spec: ModuleSpec) -> types.ModuleType:
    """Register `spec`'s module in sys.modules, its code not run yet."""
    module = _Deferred(spec)
    sys.modules[spec.name] = module
    return module


def run(module: types.ModuleType) -> types.ModuleType:
    """Run a deferred module's code now, once (no-op for any other module)."""
    if isinstance(module, _Deferred):
        with _lock:
            if not module.__dict__["_copilot_ran"]:
                module.__dict__["_copilot_ran"] = True
                _execute(module)
    return module


def has_run(module: types.ModuleType) -> bool:
    return not isinstance(module, _Deferred) or bool(module.__dict__["_copilot_ran"])


def _execute(module: types.ModuleType) -> None:
    spec = module.__spec__
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(module)
    parent_name, _, leaf = spec.name.rpartition(".")
    parent = sys.modules.get(parent_name)
    # The import system sets a submodule on its package when it loads it; this one it
    # found ready in sys.modules. (A parent's own attribute of that name, such as
    # openai's lazy `resources` proxy, is left alone.)
    if parent is not None and leaf not in vars(parent):
        setattr(parent, leaf, module)


class _Deferred(types.ModuleType):
    """A module whose code has not run yet; see the module docstring."""

    def __init__(self, spec: ModuleSpec) -> None:
        super().__init__(spec.name)
        self.__spec__ = spec
        self.__loader__ = spec.loader
        self.__file__ = spec.origin
        self.__package__ = spec.name if spec.submodule_search_locations else spec.parent
        if spec.submodule_search_locations is not None:
            self.__path__ = list(spec.submodule_search_locations)
        self._copilot_ran = False

    def __getattr__(self, attribute: str) -> Any:
        # Dunders are probed by the import system and by tools; they must not run the code.
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {attribute!r}")
        run(self)
        try:
            return self.__dict__[attribute]
        except KeyError:
            raise AttributeError(
                f"module {self.__name__!r} has no attribute {attribute!r}"
            ) from None
