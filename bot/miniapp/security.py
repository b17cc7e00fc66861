"""Security headers on every /app/ response: a strict CSP (no inline script or style, data
only from this origin), framing only by Telegram's web clients, no sniffing, no referrer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

# Telegram Web (web.telegram.org/a/, /k/) frames Mini Apps; the phone and desktop apps
# open them in a web view, where frame-ancestors does not apply.
TELEGRAM_WEB = "https://web.telegram.org https://webk.telegram.org https://webz.telegram.org"
CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self' https://telegram.org",
        "style-src 'self'",
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "font-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        f"frame-ancestors {TELEGRAM_WEB}",
    )
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
PREFIX = "/app"

Next = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Next) -> web.StreamResponse:
    if not _ours(request.path):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # 404s, redirects: headed the same way
        exc.headers.update(_headers(request.path))
        raise
    response.headers.update(_headers(request.path))
    return response


def _ours(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def _headers(path: str) -> dict[str, str]:
    if path.startswith(PREFIX + "/api/"):
        # Data for one signed-in person: never stored by a cache on the way.
        return {**HEADERS, "Cache-Control": "no-store"}
    return HEADERS
