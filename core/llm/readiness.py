"""What will stop a configured model from working, found before anyone asks it.

It needs litellm, which takes seconds to import: the bot looks once litellm is warmed up
in the background (bot/runner.py), `run_bot.py check` right away (bot/check.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.config import LLMSettings
from core.errors import PriceUnknown
from core.llm.pricing import resolve_price

AI_FEATURES = "AI writing (/suggest, /campaign, Regenerate)"
# litellm lists these as missing, yet has a default for them (Ollama on localhost:11434).
_DEFAULTED = frozenset({"OLLAMA_API_BASE"})


@dataclass(frozen=True)
class ModelProblem:
    variable: str  # LLM_MODEL or LLM_FALLBACK_MODELS
    model: str
    problem: str
    fix: str
    effect: str

    @property
    def line(self) -> str:
        """'LLM_MODEL openai/gpt-4o-mini has no API key: AI writing ... will fail; set ...'."""
        return f"{self.variable} {self.model} {self.problem}: {self.effect}; {self.fix}"


def chain(settings: LLMSettings) -> list[tuple[str, str]]:
    """(variable, model) for the main model and each fallback, in the order they are tried."""
    if settings.model is None:
        return []
    fallbacks = [("LLM_FALLBACK_MODELS", model) for model in settings.fallback_models]
    return [("LLM_MODEL", settings.model), *fallbacks]


def model_problems(settings: LLMSettings, litellm: Any) -> list[ModelProblem]:
    problems = []
    for variable, model in chain(settings):
        main = variable == "LLM_MODEL"
        for found in (
            _missing_key(settings, model, litellm),
            _missing_price(settings, model, litellm),
        ):
            if found is not None:
                problem, fix, verb = found
                effect = f"{AI_FEATURES} {verb}" if main else f"this fallback {verb}"
                problems.append(ModelProblem(variable, model, problem, fix, effect))
    return problems


def _missing_key(settings: LLMSettings, model: str, litellm: Any) -> tuple[str, str, str] | None:
    api_key = settings.api_key.get_secret_value() if settings.api_key else None
    try:
        found = litellm.validate_environment(
            model=model, api_key=api_key, api_base=settings.api_base
        )
    except Exception:  # a provider litellm can't place: the first call will say more
        return None
    missing = [key for key in found.get("missing_keys") or [] if key not in _DEFAULTED]
    if not missing:
        return None
    if any(key.endswith("_API_KEY") for key in missing):
        return "has no API key", f"set {' or '.join(['LLM_API_KEY', *missing])}", "will fail"
    wanted = " and ".join(missing)
    return f"needs {wanted}", f"set {wanted}", "will fail"


def _missing_price(settings: LLMSettings, model: str, litellm: Any) -> tuple[str, str, str] | None:
    try:
        resolve_price(settings, model, litellm)
    except PriceUnknown:
        fix = (
            "set LLM_PRICE_INPUT_PER_MTOK and LLM_PRICE_OUTPUT_PER_MTOK "
            "(USD per million tokens, 0 for a free self-hosted model)"
        )
        return "has no known price", fix, "is refused"
    return None
