"""python-telegram-bot's transport to the Bot API, on aiohttp's client instead of httpx.

The bot already runs aiohttp for its web app. aiohttp's client parses HTTP in C, and its
pool learns from the event loop when a server closes a kept-alive connection. httpx
parses in Python, and before every request it re-checks each pooled connection with a
`poll()` and a `getpeername()`. With a few chats tapping buttons at once, that transport
work was the largest part of the bot's CPU per tap (docs/BENCHMARKS.md).

Requests are encoded as PTB's HTTPXRequest encodes them: form fields, or multipart when
files are attached. Telegram receives the same bodies, and certificates are checked
against the same CA bundle (certifi). Proxy variables (`HTTP_PROXY`, `NO_PROXY`, ...)
are read when the client starts, as httpx reads them, not on every request as aiohttp's
`trust_env` would (about 100 µs a request).

A request that failed before any of it was written raises an error marked
`RequestNotSent` (a NetworkError or a TimedOut, as PTB expects): the publisher sends it
again, while a timeout waiting for the answer may mean Telegram has it
(bot/adapters/telegram_channel.py).
"""

from __future__ import annotations

import functools
import ssl

import aiohttp
import certifi
from aiohttp.helpers import get_env_proxy_for_url
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

from bot.adapters.http_failures import never_sent

Proxy = tuple[URL | None, aiohttp.BasicAuth | None]


class RequestNotSent:
    """Marks a transport error raised before a byte of the request was written: Telegram
    never saw it, so sending it again cannot post anything twice."""

    __slots__ = ()


class CouldNotConnect(RequestNotSent, NetworkError):
    """No connection: refused, the name did not resolve, the TLS handshake failed."""

    __slots__ = ()


class ConnectTimedOut(RequestNotSent, TimedOut):
    """No connection in time, connecting or waiting for a free one in the pool."""

    __slots__ = ()


class AiohttpRequest(BaseRequest):
    """A `BaseRequest` with HTTPXRequest's defaults: 5 s to read, write and connect, 1 s
    to wait for a pooled connection, 20 s to upload a file, 256 connections."""

    __slots__ = (
        "_connect_timeout",
        "_media_write_timeout",
        "_pool_size",
        "_pool_timeout",
        "_proxies",
        "_read_timeout",
        "_session",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, Proxy] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Idle connections close after 5 s, as httpx's do: a connection the server has
            # dropped meanwhile is rarely picked, and a POST is never retried on its own.
            connector = aiohttp.TCPConnector(
                limit=self._pool_size, ssl=_ssl_context(), keepalive_timeout=5.0
            )
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )
            self._proxies = {}  # the environment is read again from here on

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        timeout = self._timeout(
            files=files,
            read=_given(read_timeout, self._read_timeout),
            write=_given(
                write_timeout, self._media_write_timeout if files else self._write_timeout
            ),
            connect=_given(connect_timeout, self._connect_timeout),
            pool=_given(pool_timeout, self._pool_timeout),
        )
        proxy, proxy_auth = self._proxy_for(url)
        try:
            async with session.request(
                method, url, data=_body(request_data), timeout=timeout, proxy=proxy,
                proxy_auth=proxy_auth,
            ) as response:  # fmt: skip
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ClientError) as error:  # aiohttp's timeouts subclass it
            raise _ptb_error(error) from error

    def _proxy_for(self, url: str) -> Proxy:
        """The environment's proxy for the URL's origin, or none; the bot talks to one."""
        origin = "/".join(url.split("/", 3)[:3])  # scheme://host:port
        found = self._proxies.get(origin)
        if found is None:
            try:
                found = get_env_proxy_for_url(URL(url))
            except LookupError:  # no proxy set, or NO_PROXY names this host
                found = (None, None)
            self._proxies[origin] = found
        return found

    @staticmethod
    def _timeout(
        *, files: bool, read: float | None, write: float | None, connect: float | None,
        pool: float | None,
    ) -> aiohttp.ClientTimeout:  # fmt: skip
        # aiohttp has no write timeout. A plain request's body is a few KiB that the
        # socket takes at once, so the read timeout bounds the wait for the answer. An
        # upload gets one deadline for all of it: connecting, sending and the answer.
        # Waiting for a pooled connection counts against `connect`, as in httpx; that
        # deadline also makes a connection that never came a ConnectionTimeoutError (not
        # sent) rather than the upload's `total` running out (maybe sent).
        if files:
            total = _sum(read, write, connect, pool)
            return aiohttp.ClientTimeout(
                total=total, connect=_sum(pool, connect), sock_connect=connect
            )
        return aiohttp.ClientTimeout(
            total=None, connect=_sum(pool, connect), sock_connect=connect, sock_read=read
        )


def _ptb_error(error: TimeoutError | aiohttp.ClientError) -> NetworkError:
    """PTB's error for a failed request, marked RequestNotSent when none of it left."""
    if never_sent(error):
        if isinstance(error, TimeoutError):
            # Not str(error): aiohttp's message holds the URL, and the URL the bot token.
            return ConnectTimedOut("Timed out connecting to the Bot API; nothing was sent")
        return CouldNotConnect(f"aiohttp.{type(error).__name__}: {error}")
    if isinstance(error, TimeoutError):
        return TimedOut()
    return NetworkError(f"aiohttp.{type(error).__name__}: {error}")


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE for "this request object's own default"."""
    return default if isinstance(value, DefaultValue) else value


def _sum(*parts: float | None) -> float | None:
    if any(part is None for part in parts):
        return None
    return sum(part for part in parts if part is not None)


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return fields  # form-urlencoded, as HTTPXRequest sends it
    form = aiohttp.FormData(fields)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One context for every request object: loading the CA bundle takes a few ms."""
    return ssl.create_default_context(cafile=certifi.where())
