"""Run a package's `__init__` only when a name it defines is asked for.

The OpenAI SDK (which litellm calls for `openai/...` models) reaches its chat resource
with `from .resources.chat import AsyncChat`. Importing `openai.resources.chat` first
runs `openai/resources/__init__.py`, and that imports every resource the SDK has (audio,
batches, evals, realtime, ...): about 430 modules and 12 MiB of memory on the first LLM
call, for the one resource this bot uses (measured in bench/bench_memory.py).

`defer_init("openai.resources")` registers the package without running its `__init__`.
Its subpackages still import as usual (`openai.resources.chat` loads only the chat
resource), and the first time anyone asks the package itself for a name that is not an
imported subpackage, the real `__init__` runs in place, so the package ends up exactly as
if it had been imported normally.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from importlib.machinery import ModuleSpec
from typing import Any

_lock = threading.RLock()


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
    sys.modules[name] = _DeferredPackage(spec)
    return True


class _DeferredPackage(types.ModuleType):
    """A package whose `__init__` has not run yet; see the module docstring."""

    def __init__(self, spec: ModuleSpec) -> None:
        super().__init__(spec.name)
        self.__spec__ = spec
        self.__loader__ = spec.loader
        self.__file__ = spec.origin
        self.__path__ = list(spec.submodule_search_locations or [])
        self.__package__ = spec.name
        self._copilot_initialised = False

    def __getattr__(self, attribute: str) -> Any:
        # Dunders are probed by the import system and by tools; they must not run __init__.
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {attribute!r}")
        with _lock:
            if not self._copilot_initialised:
                self._copilot_initialised = True
                spec = self.__spec__
                assert spec is not None and spec.loader is not None
                spec.loader.exec_module(self)
        try:
            return self.__dict__[attribute]
        except KeyError:
            raise AttributeError(
                f"module {self.__name__!r} has no attribute {attribute!r}"
            ) from None
