"""Prompt templates as validated, versioned data (prompts/*.yaml), with A/B variants."""

from core.prompting.registry import UNSYNCED_VERSION, PromptRegistry
from core.prompting.template import BASE_VARIANT, PromptTemplate, TemplateSpec

__all__ = ["BASE_VARIANT", "UNSYNCED_VERSION", "PromptRegistry", "PromptTemplate", "TemplateSpec"]
