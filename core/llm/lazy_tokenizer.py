"""Defer litellm's default tiktoken encoding until something actually tokenizes.

litellm 1.102.x imports `litellm.litellm_core_utils.default_encoding` while `import
litellm` runs (token_counter.py: `from ...default_encoding import encoding`), and that
module builds tiktoken's cl100k_base encoding on the spot: about 34 MiB of RSS for a
tokenizer this bot only needs when a server reports no usage (see `_usage` in
core/llm/gateway.py). `install()`, called just before `import litellm`, registers that module
with its code deferred (core/llm/lazy_package.py) and an `encoding` that is a proxy: the
first use of the proxy, or of any other name of the module, runs the module's code once,
in place, and the proxy hands over to the encoding it built.

This is tied to litellm 1.102.x's layout: when `litellm_core_utils/default_encoding.py`
is not where 1.102.x keeps it, `install()` does nothing and litellm behaves as it always
has. Only the module is deferred; litellm still counts tokens exactly as before.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import Any

from core.llm import lazy_package

MODULE = "litellm.litellm_core_utils.default_encoding"
# Where litellm 1.102.x keeps the module and the tiktoken files it bundles.
_RELATIVE_PATH = Path("litellm_core_utils", "default_encoding.py")
_RELATIVE_TOKENIZERS = Path("litellm_core_utils", "tokenizers")

_module: types.ModuleType | None = None


def install() -> bool:
    """Register the deferred module; False (and nothing done) where that can't be done.

    Must run before `import litellm`: once the real module has been imported there is
    nothing left to defer.
    """
    global _module
    if MODULE in sys.modules:  # imported already (really or by an earlier install)
        return False
    origin = _module_path()
    if origin is None:
        return False
    spec = importlib.util.spec_from_file_location(MODULE, origin)
    if spec is None or spec.loader is None:
        return False
    _set_tiktoken_cache_dir(origin.parents[1])
    module = lazy_package.defer(spec)
    module.__dict__["encoding"] = _LazyEncoding()  # until the module's code binds the real one
    _module = module
    return True


def is_loaded() -> bool:
    """Whether the real module has run (and so built its encoding)."""
    return _module is not None and lazy_package.has_run(_module)


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


def _encoding() -> Any:
    assert _module is not None
    return lazy_package.run(_module).__dict__["encoding"]


class _LazyEncoding:
    """Stands for the module's `encoding` (a tiktoken.Encoding) until first use.

    litellm imports it by value (`from ... import encoding`), so the proxy stays where
    litellm put it and forwards every use to the real encoding.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        return getattr(_encoding(), name)

    # isinstance(proxy, tiktoken.Encoding) is how litellm.utils.encode picks its arguments.
    @property  # type: ignore[misc]
    def __class__(self) -> type:
        return type(_encoding())

    def __repr__(self) -> str:
        return repr(_encoding())
