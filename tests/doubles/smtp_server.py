"""A real SMTP server (aiosmtpd) that keeps what it is sent and answers as scripted.

`rcpt_replies[address]` answers that RCPT (e.g. "550 5.1.1 No such user"); `data_script`
answers the next DATA commands in order: an SMTP reply ("451 4.3.0 Try later"), "hang"
(keep the message, never answer: a timeout after DATA) or "drop" (keep it, cut the
connection). Everything accepted or kept is in `messages`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

from core.config import SMTPSettings
from tests.e2e.harness import free_port

SENDER = "Candle Shop <news@shop.example>"


@dataclass
class Received:
    rcpt: str
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class ScriptedSmtp:
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_script: list[str] = field(default_factory=list)
    messages: list[Received] = field(default_factory=list)
    connections: int = 0
    hang_s: float = 30.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                          responses: list[str]) -> list[str]:  # fmt: skip
        with self._lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: Any) -> str:  # fmt: skip
        reply = self.rcpt_replies.get(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            step = self.data_script.pop(0) if self.data_script else "250 Message accepted"
        if step[0] in "45":
            return step
        for rcpt in envelope.rcpt_tos:
            self.messages.append(Received(rcpt, bytes(envelope.content)))
        if step == "hang":
            await asyncio.sleep(self.hang_s)
        elif step == "drop":
            server.transport.close()
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if m.rcpt == address]


@contextmanager
def running_smtp(box: ScriptedSmtp | None = None) -> Iterator[tuple[ScriptedSmtp, SMTPSettings]]:
    """Start the server on a free port; settings that point at it (no STARTTLS)."""
    box = box or ScriptedSmtp()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings = SMTPSettings(_env_file=None, host="127.0.0.1", port=controller.port,
                                starttls=False, EMAIL_FROM=SENDER)  # fmt: skip
        yield box, settings
    finally:
        box.hang_s = 0
        controller.stop()
