"""Benchmark: one sequence email to 10,000 recipients through a local aiosmtpd server.

    .venv/bin/python bench/sequence_send.py [--recipients 10000] [--database URL]

In one run, against the same aiosmtpd server (in a process of its own):
1. bare: a plain aiosmtplib loop over one reused connection sends the same number of
   messages (built once each, as the bot builds them) — the ceiling;
2. bot: the publishing dispatcher's sweep sends the sequence email to every recipient
   (delivery rows created, claimed, marked `sending` a chunk at a time before they
   leave and their outcomes recorded per chunk, each address's unsubscribe token made
   and kept, paced at a rate far above the server's speed).

Reported: messages/s of both and their ratio (target ≥ 0.5), that every recipient got
exactly one, and peak RSS growth of the bot's run over the process before it (target
≤ 50 MB). The database is a scratch SQLite file unless --database names another (an
empty scratch database: the tables are created in it, e.g. `CREATE DATABASE bench`
and postgresql+asyncpg://postgres@127.0.0.1:5432/bench).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import Pipe, Process
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiosmtplib
from aiosmtpd.controller import Controller

import storage.models  # noqa: F401
from core.config import SMTPSettings
from core.mailing.outgoing import OutgoingEmail, build_message
from storage.base import Base
from storage.db import make_engine, make_session_factory
from tests.campaigns.helpers import MutableClock
from tests.e2e.harness import free_port
from tests.mailing.helpers import add_sequence, mail_dispatcher

SENDER = "Candle Shop <news@shop.example>"


class Counting:
    def __init__(self) -> None:
        self.rcpts: Counter[str] = Counter()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.rcpts.update(envelope.rcpt_tos)
        return "250 OK"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def bare(port: int, recipients: list[str]) -> float:
    started = time.perf_counter()
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False) as client:
        for n, address in enumerate(recipients):
            email = OutgoingEmail(address, "Candle tips #1", "Hello!\n\nTip 1: trim the wick.",
                                  message_id=f"<bare-{n}@shop.example>")  # fmt: skip
            await client.send_message(build_message(email, sender=SENDER))
    return len(recipients) / (time.perf_counter() - started)


async def bot(settings: SMTPSettings, url: str, recipients: list[str]) -> float:
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    sessions = make_session_factory(engine)
    await add_sequence(sessions, recipients)
    dispatcher = mail_dispatcher(sessions, MutableClock(), settings, worker="bench",
                                 rate_per_s=100_000.0)  # fmt: skip
    started = time.perf_counter()
    await dispatcher.sweep()
    await dispatcher.wait_idle()
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return len(recipients) / elapsed


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    recipients = [f"reader{n}@customer.example" for n in range(args.recipients)]
    with smtp_server() as (port, server):
        settings = SMTPSettings(_env_file=None, host="127.0.0.1", port=port,
                                starttls=False, EMAIL_FROM=SENDER)  # fmt: skip
        bare_rate = await bare(port, recipients)
        server.send("clear")
        with tempfile.TemporaryDirectory() as scratch:
            url = args.database or f"sqlite+aiosqlite:///{scratch}/bench.db"
            rss_before = peak_rss_mb()
            bot_rate = await bot(settings, url, recipients)
            rss_growth = peak_rss_mb() - rss_before
        server.send("counts")
        rcpts: Counter[str] = server.recv()
    once = set(rcpts) == set(recipients) and set(rcpts.values()) == {1}
    ratio = bot_rate / bare_rate
    print(f"recipients: {len(recipients)}")
    print(f"bare aiosmtplib, one connection: {bare_rate:,.0f} messages/s")
    print(f"bot (dispatcher, deliveries):    {bot_rate:,.0f} messages/s")
    print(f"ratio: {ratio:.2f} (target >= 0.5) {'PASS' if ratio >= 0.5 else 'FAIL'}")
    print(f"exactly once per recipient: {'yes' if once else 'NO'}")
    print(f"peak RSS growth: {rss_growth:.1f} MB (target <= 50) "
          f"{'PASS' if rss_growth <= 50 else 'FAIL'}")  # fmt: skip
    return 0 if once and ratio >= 0.5 and rss_growth <= 50 else 1


def serve(port: int, conn: Connection) -> None:
    """The SMTP server's process: counts recipients; "clear" and "counts" over the pipe."""
    handler = Counting()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    conn.send("ready")
    try:
        while (command := conn.recv()) != "stop":
            if command == "clear":
                handler.rcpts.clear()
            else:
                conn.send(handler.rcpts)
    finally:
        controller.stop()


@contextmanager
def smtp_server() -> Iterator[tuple[int, Connection]]:
    """aiosmtpd in a process of its own: in a thread of this one it would share the GIL
    with the client, and both loops would mostly measure thread switches."""
    port = free_port()
    ours, theirs = Pipe()
    process = Process(target=serve, args=(port, theirs), daemon=True)
    process.start()
    try:
        assert ours.recv() == "ready"
        yield port, ours
    finally:
        ours.send("stop")
        process.join(timeout=10)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
