"""Graphviz's `dot` as core.flows.diagram.DiagramRenderer: DOT text in, PNG bytes out.

`dot` runs as a subprocess (asyncio's, so the event loop never blocks on it) with a time
limit: a huge or pathological graph is killed, not waited for. Its output is checked to be
a PNG before anyone sends it. Every failure becomes DiagramUnavailable with a sentence for
the user; the details go to the log.
"""

from __future__ import annotations

import asyncio
import logging
import shutil

from core.flows.diagram import INSTALL_HINT, DiagramUnavailable

log = logging.getLogger(__name__)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DEFAULT_TIMEOUT_S = 10.0
MAX_DOT_BYTES = 200_000  # a flow's DOT is a few kB; more means something went wrong upstream


class GraphvizRenderer:
    def __init__(self, *, binary: str = "dot", timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._binary = binary
        self._timeout_s = timeout_s

    def available(self) -> bool:
        return shutil.which(self._binary) is not None

    async def render_png(self, dot_source: str) -> bytes:
        source = dot_source.encode("utf-8")
        if len(source) > MAX_DOT_BYTES:
            raise DiagramUnavailable("This flow is too large to draw as one picture.")
        path = shutil.which(self._binary)
        if path is None:
            raise DiagramUnavailable(f"Graphviz is not installed here ({INSTALL_HINT}).")
        output, errors, code = await self._run(path, source)
        if code != 0 or not output.startswith(PNG_SIGNATURE):
            log.warning("dot failed (exit %s): %s", code, errors[:500].decode(errors="replace"))
            raise DiagramUnavailable("Graphviz could not draw this flow.")
        return output

    async def _run(self, path: str, source: bytes) -> tuple[bytes, bytes, int]:
        process = await asyncio.create_subprocess_exec(
            path, "-Tpng",
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            output, errors = await asyncio.wait_for(process.communicate(source), self._timeout_s)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise DiagramUnavailable(
                f"Drawing the diagram took over {self._timeout_s:g} s, so it was stopped."
            ) from None
        return output, errors, process.returncode or 0
