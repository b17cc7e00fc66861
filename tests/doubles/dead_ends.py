"""Servers that fail the ways a network does, on 127.0.0.1, for the "was it sent?" tests.

- `closed_port()`: nothing listens there, a connection is refused at once;
- `unresolvable_host()`: a name no resolver knows (the test is skipped where finding
  that out would hang);
- `full_backlog()`: a listener whose accept queue is full, so connecting never finishes
  (Linux drops the SYN and the client waits for its connect timeout);
- `silent_server(read=False)`: accepts the connection and never reads or answers;
- `silent_server(read=True)`: reads the whole request, records it, and never answers;
  with `hang_up=True` it closes the connection instead of answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest

LOCALHOST = "127.0.0.1"


def closed_port() -> int:
    """A port that was free a moment ago and that nobody listens on now."""
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        port: int = sock.getsockname()[1]
    return port


UNRESOLVABLE = "nonexistent.invalid"  # RFC 6761: never resolves, online or not


async def unresolvable_host() -> str:
    """`nonexistent.invalid`, once it is known to fail fast here; else the test is skipped.

    Offline, a resolver that is configured but unreachable waits out its whole timeout.
    """
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(loop.getaddrinfo(UNRESOLVABLE, 80), timeout=3)
    except socket.gaierror:
        return UNRESOLVABLE
    except TimeoutError:
        pytest.skip(f"resolving {UNRESOLVABLE} hangs here (a resolver nobody answers for)")
    pytest.skip(f"{UNRESOLVABLE} resolves here: this network rewrites lookups")


@contextlib.contextmanager
def full_backlog() -> Iterator[str]:
    """The base URL of a listener that never accepts, its one queue place already taken."""
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind((LOCALHOST, 0))
        listener.listen(0)  # Linux queues backlog + 1 = one connection
        filler.connect(listener.getsockname())
        yield f"http://{LOCALHOST}:{listener.getsockname()[1]}"


@dataclass
class SilentServer:
    url: str
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)  # what arrived, when it reads


@contextlib.asynccontextmanager
async def silent_server(*, read: bool, hang_up: bool = False) -> AsyncIterator[SilentServer]:
    """A server that never answers: it only accepts, or reads each request in full."""
    held: list[asyncio.StreamWriter] = []
    done = asyncio.Event()

    async def on_connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        found.connections += 1
        held.append(writer)
        if read:
            head = await reader.readuntil(b"\r\n\r\n")
            found.requests.append(head + await reader.readexactly(_content_length(head)))
        if hang_up:
            writer.close()
            return
        await done.wait()

    server = await asyncio.start_server(on_connection, LOCALHOST, 0)
    found = SilentServer(f"http://{LOCALHOST}:{server.sockets[0].getsockname()[1]}")
    try:
        yield found
    finally:
        done.set()
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0
