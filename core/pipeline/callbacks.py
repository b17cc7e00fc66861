"""Signed pipeline callbacks (POST /webhooks/pipeline), checked and applied once.

Order matters: the signature is checked on the raw bytes before anything is parsed, so an
unsigned caller learns nothing; only then the timestamp, the JSON, and the run. A
`webhook-id` seen before changes nothing (core.pipeline.inbox records them).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.errors import CopilotError
from core.pipeline.executor import RunExecutor
from core.pipeline.inbox import Arrival, CallbackInbox, Verdict
from core.standard_webhooks import ID_HEADER, sign, verify

log = logging.getLogger(__name__)

COMPLETED = "pipeline.run.completed"
FAILED = "pipeline.run.failed"


class CallbacksOff(CopilotError):
    """No usable PIPELINE_WEBHOOK_SECRET: callbacks are refused (HTTP 503)."""


class BadCallback(CopilotError):
    """Signed correctly, but not a callback we understand (HTTP 400)."""


@dataclass(frozen=True)
class CallbackEvent:
    type: str
    prompt_id: str
    error: str | None


def parse_secrets(configured: str | None) -> tuple[list[str], str | None]:
    """Secrets from PIPELINE_WEBHOOK_SECRET (several, space- or comma-separated, while a
    secret is rotated), or the reason there are none."""
    secrets = [s for s in re.split(r"[\s,]+", configured or "") if s]
    if not secrets:
        return [], "PIPELINE_WEBHOOK_SECRET is not set"
    try:
        for secret in secrets:
            sign(secret, "check", 0, b"")
    except ValueError as error:
        return [], f"PIPELINE_WEBHOOK_SECRET is unusable: {error}"
    return secrets, None


def parse_event(body: bytes) -> CallbackEvent:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadCallback("The body is not JSON.") from None
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        raise BadCallback('The body must be an object with a "type".')
    if not isinstance(data, dict) or not isinstance(data.get("prompt_id"), str):
        raise BadCallback('"data.prompt_id" must be a string.')
    error = data.get("error")
    return CallbackEvent(payload["type"], data["prompt_id"][:64], str(error) if error else None)


class PipelineCallbacks:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        executor: RunExecutor | None,
        secret: str | None,
    ) -> None:
        self._clock, self._executor = clock, executor
        self._inbox = CallbackInbox(sessions, clock)
        self._secrets, self.off_reason = parse_secrets(secret)

    async def receive(self, headers: Mapping[str, str], body: bytes) -> Verdict:
        """Raises CallbacksOff, SignatureInvalid, TimestampStale or BadCallback."""
        if self.off_reason is not None:
            raise CallbacksOff(f"Pipeline callbacks are off: {self.off_reason}.")
        now = self._clock.now()
        verify(self._secrets, headers, body, now=int(now.timestamp()))
        event = parse_event(body)
        if event.type not in {COMPLETED, FAILED}:
            log.info("pipeline callback of unknown type %r ignored", event.type)
            return "ignored"
        return await self._apply(_header(headers, ID_HEADER), event)

    async def _apply(self, webhook_id: str, event: CallbackEvent) -> Verdict:
        arrival = Arrival(webhook_id[:255], event.type, event.prompt_id)
        receipt = await self._inbox.record(arrival)
        if receipt.verdict == "ignored":
            log.warning("pipeline callback for unknown prompt_id %r ignored", event.prompt_id)
        if receipt.verdict == "accepted" and receipt.in_flight and self._executor is not None:
            assert receipt.run_id is not None
            self._executor.spawn(self._handle(receipt.run_id, event), f"callback-{receipt.run_id}")
        return receipt.verdict

    async def _handle(self, run_id: int, event: CallbackEvent) -> None:
        assert self._executor is not None
        if event.type == COMPLETED:
            await self._executor.complete_from_server(run_id)
        else:
            reason = event.error or "no reason given"
            await self._executor.fail(run_id, f"The image pipeline reported a failure: {reason}")


def _header(headers: Mapping[str, str], name: str) -> str:
    return next(value for key, value in headers.items() if key.lower() == name)
