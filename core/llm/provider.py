"""The one place that touches litellm: importing it, calling it, and reading its errors.

litellm takes seconds to import, so it is never imported at module load: `load_litellm`
does it on first use and `warm_up` does that in a worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import os
from dataclasses import dataclass
from typing import Any

from core.config import LLMSettings
from core.errors import LLMError, LLMTimeout
from core.llm import lazy_package, lazy_tokenizer

_DETAIL_CHARS = 500
# Statuses worth another try: timeout, conflict, rate limit; any 5xx is checked separately.
_TRANSIENT_STATUSES = frozenset({408, 409, 429})


@functools.cache
def load_litellm() -> Any:
    # Without this litellm fetches its price map from the network while importing.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    lazy_tokenizer.install()  # tiktoken's cl100k_base (~34 MiB) only once something counts
    lazy_package.defer_init("openai.resources")  # the chat resource, not all (~12 MiB)
    import litellm

    litellm.suppress_debug_info = True  # no "Give Feedback" banner on stdout per error
    litellm.telemetry = False
    # token_counter would otherwise download HuggingFace tokenizers for llama/claude models.
    litellm.disable_hf_tokenizer_download = True
    return litellm


async def warm_up() -> Any:
    if load_litellm.cache_info().currsize:  # already imported: skip the thread hop
        return load_litellm()
    return await asyncio.to_thread(load_litellm)


@dataclass(frozen=True)
class ProviderReply:
    text: str
    input_tokens: int | None
    output_tokens: int | None


class ProviderFailure(Exception):
    """A provider call that failed; `detail` is for the log, `user_message` for people."""

    def __init__(self, user_message: str, detail: str, *, transient: bool, timeout: bool) -> None:
        super().__init__(detail)
        self.user_message = user_message
        self.detail = detail
        self.transient = transient
        self.timeout = timeout

    @property
    def outcome(self) -> str:
        return "timeout" if self.timeout else "error"

    def to_domain(self) -> LLMError:
        return LLMTimeout(self.user_message) if self.timeout else LLMError(self.user_message)


async def complete(
    settings: LLMSettings,
    model: str,
    messages: list[dict[str, str]],
    options: dict[str, Any],
) -> ProviderReply:
    """One chat completion with a hard deadline; raises ProviderFailure on any failure."""
    litellm = await warm_up()
    kwargs = _call_kwargs(settings, model, messages, options)
    if "seed" in kwargs and not _takes_seed(litellm, model):
        del kwargs["seed"]  # litellm refuses a parameter the provider lacks (Anthropic)
    try:
        # litellm's own timeout covers the HTTP request; wait_for also bounds what
        # litellm does around it, so the deadline holds whatever happens inside.
        response = await asyncio.wait_for(litellm.acompletion(**kwargs), settings.timeout_s)
    except Exception as exc:
        raise _failure(exc, settings) from exc
    return _reply(response)


async def close_clients() -> None:
    """Close the HTTP clients litellm keeps, one per event loop, and forget them.

    A process with one loop (the bot) needs this only at exit, where litellm does it
    itself; anything that runs a loop per task (the tests: one per test) must call it before
    its loop ends, or each loop leaves an open aiohttp session behind.
    """
    if load_litellm.cache_info().currsize == 0:
        return  # never imported: nothing was opened
    litellm = load_litellm()
    await litellm.close_litellm_async_clients()
    litellm.in_memory_llm_clients_cache.flush_cache()


def _takes_seed(litellm: Any, model: str) -> bool:
    try:
        supported = litellm.get_supported_openai_params(model=model)
    except Exception:  # an unmapped model: litellm can't say, so leave the seed out
        return False
    return bool(supported) and "seed" in supported


def _call_kwargs(
    settings: LLMSettings, model: str, messages: list[dict[str, str]], options: dict[str, Any]
) -> dict[str, Any]:
    api_key = settings.api_key.get_secret_value() if settings.api_key else None
    kwargs = {
        "model": model,
        "messages": messages,
        "api_base": settings.api_base,
        "api_key": api_key,
        "timeout": settings.timeout_s,
        # Retries are ours (bounded, logged, budgeted); litellm and the OpenAI SDK do none.
        "num_retries": 0,
        "max_retries": 0,
        "seed": settings.seed,
        # A parameter litellm knows the model lacks is left out rather than refused:
        # OpenAI's gpt-4 takes no response_format (the campaign builder design's
        # ai_agent_id), and the JSON instruction in the messages plus our validation
        # still hold it to the schema. Unmapped models (llama.cpp) keep every parameter.
        "drop_params": True,
        **options,
    }
    return {name: value for name, value in kwargs.items() if value is not None}


def _reply(response: Any) -> ProviderReply:
    text = response.choices[0].message.content or ""
    usage = getattr(response, "usage", None)
    # litellm reports zeros when a server sent no usage; a real prompt is never 0 tokens.
    prompt_tokens = getattr(usage, "prompt_tokens", None) or None
    completion_tokens = getattr(usage, "completion_tokens", None) if prompt_tokens else None
    return ProviderReply(text=text, input_tokens=prompt_tokens, output_tokens=completion_tokens)


def _failure(exc: Exception, settings: LLMSettings) -> ProviderFailure:
    detail = _redact(f"{type(exc).__name__}: {exc}", settings)[:_DETAIL_CHARS]
    if _is_timeout(exc):
        message = (
            f"The AI model did not answer within {settings.timeout_s:g} seconds; please try again."
        )
        return ProviderFailure(message, detail, transient=True, timeout=True)
    status = getattr(exc, "status_code", None)
    transient = _is_transient(exc, status)
    return ProviderFailure(
        _user_message(status, transient), detail, transient=transient, timeout=False
    )


def _is_timeout(exc: Exception) -> bool:
    # asyncio's deadline, or litellm.Timeout (a subclass of openai.APITimeoutError).
    return isinstance(exc, TimeoutError) or type(exc).__name__ in {"Timeout", "APITimeoutError"}


def _is_transient(exc: Exception, status: object) -> bool:
    if isinstance(status, int):
        return status in _TRANSIENT_STATUSES or status >= 500
    return isinstance(exc, ConnectionError) or "Connection" in type(exc).__name__


def _user_message(status: object, transient: bool) -> str:
    if status == 429:
        return "The AI provider is rate-limiting us right now. Please try again in a minute."
    if status in (401, 403):
        return "The AI provider rejected our credentials; an admin should check LLM_API_KEY."
    if transient:
        return "The AI provider is unavailable right now. Please try again later."
    suffix = f" (HTTP {status})" if isinstance(status, int) else ""
    return f"The AI provider could not handle the request{suffix}."


def _redact(text: str, settings: LLMSettings) -> str:
    secret = settings.api_key.get_secret_value() if settings.api_key else ""
    # A placeholder key such as "x" would otherwise mangle every word containing it.
    return text.replace(secret, "***") if len(secret) >= 4 else text
