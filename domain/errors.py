"""The errors the vocabulary raises; core.errors builds the rest of the family on them."""

from __future__ import annotations


class CopilotError(Exception):
    """Base of every error the domain raises on purpose. `str(exc)` is user-facing."""


class ValidationFailed(CopilotError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
