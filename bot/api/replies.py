"""A response as plain data, so an idempotent retry can store and replay it exactly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from core.errors import Conflict, CopilotError, NotFound, ValidationFailed

VALIDATION_FAILED = "Validation failed"


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    def to_response(self) -> web.Response:
        return web.json_response(self.body, status=self.status, headers=self.headers)


def error(status: int, message: str, **headers: str) -> Reply:
    return Reply(status, {"error": message}, headers)


def invalid(problems: list[str], status: int = 422) -> Reply:
    return Reply(status, {"error": VALIDATION_FAILED, "details": problems})


def from_domain_error(exc: CopilotError, *, invalid_status: int = 422) -> Reply:
    """Domain errors carry user-safe messages; each kind has its HTTP status. Bad input is
    422, or 400 on the routes whose design says so (`invalid_status`)."""
    if isinstance(exc, ValidationFailed):
        return invalid(exc.problems, invalid_status)
    if isinstance(exc, NotFound):
        return error(404, str(exc))
    if isinstance(exc, Conflict):
        return error(409, str(exc))
    return error(400, str(exc))
