"""Domain exceptions. Each carries a message that is safe to show a user as it is."""

from __future__ import annotations

from domain.errors import CopilotError as CopilotError
from domain.errors import ValidationFailed as ValidationFailed


class NotFound(CopilotError):
    pass


class Conflict(CopilotError):
    """The thing to create exists already (a persona name, say): HTTP 409 at the edge."""


class AlreadyDecided(CopilotError):
    """A state change lost a race or was repeated: somebody already did it."""


class InvalidTransition(CopilotError):
    pass


class FeatureOff(CopilotError):
    """A feature whose settings are missing (no LLM_MODEL, no COMFYUI_URL, ...)."""


class LLMError(CopilotError):
    """The model could not give a usable answer. Nothing was stored."""


class LLMTimeout(LLMError):
    pass


class BudgetExceeded(LLMError):
    pass


class PriceUnknown(LLMError):
    pass


class TemplateError(CopilotError):
    pass
