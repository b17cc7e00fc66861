"""Serve a small aiohttp app on 127.0.0.1 for one test: a webhook receiver, a slow or
broken server. The doubles with state of their own (Telegram, ComfyUI, the LLM) keep
their own runners."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Yields the app's base URL, `http://127.0.0.1:<free port>`; stops it afterwards."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        host, port = runner.addresses[0][:2]
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()
