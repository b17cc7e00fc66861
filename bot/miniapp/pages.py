"""GET /app/ (the shell: tabs and an empty view, no data) and /app/static/..."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from aiohttp import web

from bot.miniapp.render import render

STATIC = Path(__file__).parent / "static"
HTMX = "htmx-4.0.1.min.js"


@cache
def static_version() -> str:
    """Changes whenever app.js or app.css does, so a phone never keeps a stale copy."""
    digest = hashlib.sha256()
    for name in ("app.js", "app.css"):
        digest.update((STATIC / name).read_bytes())
    return digest.hexdigest()[:12]


def mount_pages(app: web.Application) -> None:
    app.router.add_get("/app", _to_slash)
    app.router.add_get("/app/", shell)
    app.router.add_static("/app/static/", STATIC, append_version=False)


async def shell(_: web.Request) -> web.Response:
    page = render("shell.html.j2", version=static_version(), htmx=HTMX)
    return web.Response(text=page, content_type="text/html", headers={"Cache-Control": "no-cache"})


async def _to_slash(_: web.Request) -> web.Response:
    raise web.HTTPPermanentRedirect("/app/")
