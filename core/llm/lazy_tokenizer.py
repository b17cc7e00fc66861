"""Defer litellm's default tiktoken encoding until something actually tokenizes.

litellm 1.102.x imports `litellm.litellm_core_utils.default_encoding` while `import
litellm` runs (token_counter.py: `from ...default_encoding import encoding`), and that
module builds tiktoken's cl100k_base encoding on the spot: about 34 MiB of RSS for a
tokenizer this bot only needs when a server reports no usage (see `_usage` in
core/llm/gateway.py). `install()`, called just before `import litellm`, puts a stand-in
for that module in sys.modules. The stand-in's `encoding` is a proxy, and the first use
of the proxy or of any other attribute of the module runs the real module (once, under a
lock: the first use may come from a worker thread) and hands over to it.

This is tied to litellm 1.102.x's layout: when `litellm_core_utils/default_encoding.py`
is not where 1.102.x keeps it, `install()` does nothing and litellm behaves as it always
has. Only the module is deferred; litellm still counts tokens exactly as before.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import types
from importlib.machinery import ModuleSpec
from pathlib import Path
from typing import Any

MODULE = "litellm.litellm_core_utils.default_encoding"
_PARENT, _, _LEAF = MODULE.rpartition(".")
# Where litellm 1.102.x keeps the module and the tiktoken files it bundles.
_RELATIVE_PATH = Path("litellm_core_utils", "default_encoding.py")
_RELATIVE_TOKENIZERS = Path("litellm_core_utils", "tokenizers")

_lock = threading.Lock()
_spec: ModuleSpec | None = None
_real: types.ModuleType | None = None


def install() -> bool:
    """Register the stand-in module; False (and nothing done) where that can't be done.

    Must run before `import litellm`: once the real module has been imported there is
    nothing left to defer.
    """
    global _spec
    if MODULE in sys.modules:  # imported already (really or by an earlier install)
        return False
    origin = _module_path()
    if origin is None:
        return False
    spec = importlib.util.spec_from_file_location(MODULE, origin)
    if spec is None or spec.loader is None:
        return False
    _spec = spec
    _set_tiktoken_cache_dir(origin.parents[1])
    stand_in = _StandIn(MODULE)
    stand_in.__spec__ = spec
    stand_in.__loader__ = spec.loader
    stand_in.__file__ = str(origin)
    stand_in.__package__ = _PARENT
    stand_in.encoding = _LazyEncoding()
    sys.modules[MODULE] = stand_in
    return True


def is_loaded() -> bool:
    """Whether the real module has run (and so built its encoding)."""
    return _real is not None


def _module_path() -> Path | None:
    # find_spec on the top-level name reads the package's location without importing it.
    try:
        spec = importlib.util.find_spec("litellm")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location, _RELATIVE_PATH)
        if path.is_file():
            return path
    return None


def _set_tiktoken_cache_dir(package_dir: Path) -> None:
    """What the real module does on import, so tiktoken stays offline without it.

    litellm gets o200k_base (for gpt-4o) and others straight from tiktoken, which reads
    its files from TIKTOKEN_CACHE_DIR and would otherwise download them.
    """
    custom = os.getenv("CUSTOM_TIKTOKEN_CACHE_DIR")
    if custom:
        os.makedirs(custom, exist_ok=True)
        os.environ["TIKTOKEN_CACHE_DIR"] = custom
    else:
        os.environ["TIKTOKEN_CACHE_DIR"] = str(package_dir / _RELATIVE_TOKENIZERS)


def _load() -> types.ModuleType:
    """The real module, run on first call; it then replaces the stand-in everywhere."""
    real = _real
    if real is not None:
        return real
    with _lock:
        if _real is None:
            _run_real_module()
        assert _real is not None
        return _real


def _run_real_module() -> None:
    global _real
    assert _spec is not None and _spec.loader is not None
    module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(module)  # builds cl100k_base; raises leave the stand-in
    stand_in = sys.modules.get(MODULE)
    sys.modules[MODULE] = module
    parent = sys.modules.get(_PARENT)
    if parent is not None:
        setattr(parent, _LEAF, module)
    if isinstance(stand_in, _StandIn):  # whoever kept the stand-in now reads the real values
        stand_in.__dict__.update(module.__dict__)
    _real = module


class _StandIn(types.ModuleType):
    """The module until first use; any attribute it lacks comes from the real module."""

    encoding: Any

    def __getattr__(self, name: str) -> Any:
        # The import system and tools probe dunders (`from m import x` asks for __path__);
        # answering those must not run the real module.
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(f"module {MODULE!r} has no attribute {name!r}")
        return getattr(_load(), name)


class _LazyEncoding:
    """Stands for the module's `encoding` (a tiktoken.Encoding) until first use.

    litellm imports it by value (`from ... import encoding`), so the proxy stays where
    litellm put it and forwards every use to the real encoding.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        return getattr(_load().encoding, name)

    # isinstance(proxy, tiktoken.Encoding) is how litellm.utils.encode picks its arguments.
    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return type(_load().encoding)

    def __repr__(self) -> str:
        return repr(_load().encoding)
