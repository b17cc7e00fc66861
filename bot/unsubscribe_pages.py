"""GET and POST /u/{token}: the unsubscribe page and RFC 8058 one-click unsubscribe.

No bearer token: the unguessable token in the link is the authority. GET only shows a
page with a button (mail scanners follow links; a GET must change nothing); POST
unsubscribes, idempotently, whether from that button or from a mail client's one-click
(`List-Unsubscribe=One-Click` in the body). An unknown token is a 404 page.
"""

from __future__ import annotations

from html import escape

from aiohttp import web

from core.mailing.unsubscribe import Subscription, Unsubscribes

UNSUBSCRIBES = web.AppKey("unsubscribes", Unsubscribes)
HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
           "X-Robots-Tag": "noindex"}  # fmt: skip


def add_unsubscribe_routes(app: web.Application, unsubscribes: Unsubscribes) -> None:
    app[UNSUBSCRIBES] = unsubscribes
    app.router.add_get("/u/{token}", show)
    app.router.add_post("/u/{token}", unsubscribe)


async def show(request: web.Request) -> web.Response:
    found = await request.app[UNSUBSCRIBES].lookup(request.match_info["token"])
    if found is None:
        return _not_found()
    if found.unsubscribed:
        return _done(found)
    address = escape(found.address)
    body = (
        f"<h1>Unsubscribe {address}?</h1><p>You will get no more emails from these sequences."
        '</p><form method="post"><button type="submit">Unsubscribe</button></form>'
    )
    return _page("Unsubscribe", body)


async def unsubscribe(request: web.Request) -> web.Response:
    source = "one-click" if "One-Click" in (await request.text())[:200] else "link"
    found = await request.app[UNSUBSCRIBES].unsubscribe(request.match_info["token"], source=source)
    if found is None:
        return _not_found()
    return _done(found)


def _done(found: Subscription) -> web.Response:
    body = (
        f"<h1>You are unsubscribed</h1><p>{escape(found.address)} will get no more emails "
        "from us.</p>"
    )
    return _page("Unsubscribed", body)


def _not_found() -> web.Response:
    body = (
        "<h1>Link not found</h1>"
        "<p>This unsubscribe link is not valid. Check it was copied whole.</p>"
    )
    return _page("Not found", body, status=404)


def _page(title: str, body: str, *, status: int = 200) -> web.Response:
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>body{{font-family:sans-serif;max-width:32em;"
        "margin:3em auto;padding:0 1em}button{font-size:1.1em;padding:.5em 1.2em}</style>"
        f"</head><body>{body}</body></html>"
    )
    return web.Response(text=html, content_type="text/html", status=status, headers=HEADERS)
