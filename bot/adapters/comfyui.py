"""Talk to an unmodified ComfyUI server over HTTP and its websocket (aiohttp).

It implements core.comfyui.ComfyAPI; core never sees aiohttp. `comfy_client` builds it
from the settings (bot/assembly.py).

What the server does is recorded in tests/data/comfyui/CONTRACT.md; the choices here follow
from it:
- Each run gets its own websocket client id, "<client_id>-<prompt_id>". ComfyUI keeps one
  socket per client id: a second socket with the same id silently takes over the first,
  and when either closes the server forgets both. So two runs watched at once must not
  share an id; deriving it from the prompt id also lets a restarted bot re-attach.
- ComfyUI keeps a client-chosen prompt_id but never checks it for duplicates, it queues
  the job again. `submit` makes a resubmit idempotent by asking /queue and /history first.
- History is the source of truth for the outcome; the websocket only gives progress and
  an early "done". A quiet socket triggers a history check, and a socket that cannot
  connect or drops falls back to polling, all under one deadline.
- No Origin header is ever sent: ComfyUI answers 403 when Origin and Host differ.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

import aiohttp
from yarl import URL

from core.comfyui.errors import (
    ComfyError,
    ComfyRunLost,
    ComfyServerError,
    ComfyTimeout,
    ComfyUnreachable,
    ComfyValidationError,
)
from core.comfyui.messages import node_error_lines, outcome_from_history, validation_problems
from core.comfyui.progress import RunTracker
from core.comfyui.types import ImageRef, Progress, ProgressCallback, RunOutcome, SubmitResult
from core.config import ComfySettings

log = logging.getLogger(__name__)

CLIENT_ID = "campaign-copilot"  # stable, so a restarted bot re-attaches to its runs' sockets

_SOCKET_GONE = frozenset(
    {aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED}
    | {aiohttp.WSMsgType.ERROR}
)


class ComfyClient:
    def __init__(
        self,
        base_url: str,
        *,
        client_id: str,
        session: aiohttp.ClientSession | None = None,
        poll_interval: float = 1.0,
        deadline_s: float = 600.0,
        request_timeout_s: float = 30.0,
        unreachable_grace_s: float = 120.0,
    ) -> None:
        base = URL(base_url.rstrip("/") + "/")
        if base.scheme not in {"http", "https"} or not base.host:
            raise ValueError(f"ComfyUI URL must be http(s)://host[:port], got {base_url!r}")
        self._base = base
        self._client_id = client_id
        self._session = session
        self._owns_session = session is None
        self._timeout = aiohttp.ClientTimeout(total=request_timeout_s)
        self._poll_interval = poll_interval
        self._deadline_s = deadline_s
        # A restart takes seconds; a server gone for longer is down, and the run failed.
        self._unreachable_grace_s = unreachable_grace_s
        # How long a silent websocket may stay silent before we ask /history ourselves.
        self._idle_check_s = max(5 * poll_interval, 0.05)
        # Workflows we submitted, so progress can say "node 3 of 7"; dropped once watched.
        self._workflows: dict[str, Mapping[str, Any]] = {}

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session if we opened it; a session passed in belongs to the caller."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    # ---- public API -------------------------------------------------------------------

    async def submit(self, workflow: Mapping[str, Any], prompt_id: str) -> SubmitResult:
        """Queue `workflow` under our own `prompt_id`; a repeat of a known id is a no-op."""
        self._workflows[prompt_id] = workflow
        if await self._is_known(prompt_id):
            log.info("ComfyUI already has run %s; not submitting it again", prompt_id)
            return SubmitResult(prompt_id=prompt_id, number=None, already_known=True)
        body = {
            "prompt": dict(workflow),
            "client_id": self._run_client_id(prompt_id),
            "prompt_id": prompt_id,
        }
        status, payload = await self._json("POST", "prompt", expect={200, 400}, json=body)
        if status == 400:
            raise ComfyValidationError(validation_problems(payload))
        return self._submitted(prompt_id, payload)

    async def watch(
        self, prompt_id: str, on_progress: ProgressCallback | None = None
    ) -> RunOutcome:
        """Wait for the run to end; report progress on the way. Raises ComfyTimeout at the
        deadline and ComfyRunLost when the server no longer knows the run."""
        tracker = RunTracker(prompt_id, self._workflows.pop(prompt_id, None))
        deadline = asyncio.timeout(self._deadline_s)
        try:
            async with deadline:
                outcome = await self._follow_socket(tracker, on_progress)
                return outcome or await self._poll(tracker)
        except TimeoutError as exc:
            if not deadline.expired():
                raise
            reason = f" (last problem: {tracker.last_problem})" if tracker.last_problem else ""
            raise ComfyTimeout(
                f"The image server did not finish run {prompt_id} within "
                f"{self._deadline_s:g} s{reason}"
            ) from exc

    async def cancel(self, prompt_id: str) -> None:
        """Stop the run: take it off the queue if it waits, interrupt it if it runs.

        Deleted first, so a queued run can't start in between. The interrupt is sent only
        when this run is the one running: ComfyUI before `prompt_id`-aware interrupts
        stops whatever runs, which may be somebody else's job.
        """
        await self._post_empty("queue", json={"delete": [prompt_id]})
        if await self._running(prompt_id):
            await self._post_empty("interrupt", json={"prompt_id": prompt_id})

    async def history(self, prompt_id: str) -> RunOutcome | None:
        """The finished run's outcome; None while it is queued, running, or unknown."""
        _, body = await self._json("GET", "history", prompt_id)
        return outcome_from_history(prompt_id, body)

    async def fetch_image(self, ref: ImageRef) -> bytes:
        params = {"filename": ref.filename, "subfolder": ref.subfolder, "type": ref.type}
        async with self._call("GET", self._url("view"), params=params) as response:
            if response.status == 404:
                raise ComfyServerError(
                    f"The image server has no image {ref.filename!r} (it may have been deleted)"
                )
            if response.status != 200:
                raise _status_error(response.status, "view")
            return await response.read()

    async def system_ok(self) -> bool:
        try:
            _, body = await self._json("GET", "system_stats")
        except ComfyError as exc:
            log.info("ComfyUI health check failed: %s", exc)
            return False
        return isinstance(body, dict) and isinstance(body.get("system"), dict)

    # ---- submit helpers ---------------------------------------------------------------

    def _run_client_id(self, prompt_id: str) -> str:
        return f"{self._client_id}-{prompt_id}"

    def _submitted(self, prompt_id: str, payload: object) -> SubmitResult:
        if not isinstance(payload, dict) or not isinstance(payload.get("prompt_id"), str):
            raise ComfyServerError("The image server accepted the run but sent no prompt id")
        server_id: str = payload["prompt_id"]
        if server_id != prompt_id:
            # Servers before prompt_id support make up their own; watch that one instead.
            log.warning("ComfyUI ignored prompt_id %s and used %s", prompt_id, server_id)
            self._workflows[server_id] = self._workflows.pop(prompt_id)
        number = payload.get("number")
        return SubmitResult(
            prompt_id=server_id,
            number=float(number) if isinstance(number, int | float) else None,
            already_known=False,
            warnings=tuple(node_error_lines(payload.get("node_errors"))),
        )

    async def _is_known(self, prompt_id: str) -> bool:
        if await self._in_queue(prompt_id):
            return True
        _, body = await self._json("GET", "history", prompt_id)
        return isinstance(body, dict) and prompt_id in body

    async def _in_queue(self, prompt_id: str) -> bool:
        return await self._queued(prompt_id, ("queue_running", "queue_pending"))

    async def _running(self, prompt_id: str) -> bool:
        return await self._queued(prompt_id, ("queue_running",))

    async def _queued(self, prompt_id: str, lists: tuple[str, ...]) -> bool:
        _, body = await self._json("GET", "queue")
        if not isinstance(body, dict):
            raise ComfyServerError("The image server sent an unexpected /queue answer")
        # Queue items are lists: [number, prompt_id, workflow, extra_data, outputs].
        items = [item for name in lists for item in body.get(name, [])]
        return any(isinstance(item, list) and item[1:2] == [prompt_id] for item in items)

    # ---- watch helpers ----------------------------------------------------------------

    async def _follow_socket(
        self, tracker: RunTracker, on_progress: ProgressCallback | None
    ) -> RunOutcome | None:
        """Progress from the websocket. None means "ask /history" (done, refused, dropped)."""
        url = self._ws_url(tracker.prompt_id)
        try:
            async with self._http().ws_connect(url) as ws:
                # The run may have ended before the socket opened; its frames are gone then.
                outcome = await self._check(tracker.prompt_id)
                return outcome or await self._read_frames(ws, tracker, on_progress)
        except (aiohttp.ClientError, TimeoutError, ComfyUnreachable) as exc:
            tracker.last_problem = f"websocket: {type(exc).__name__}"
            log.info("ComfyUI websocket unavailable (%s); polling /history", exc)
            return None

    async def _read_frames(
        self,
        ws: aiohttp.ClientWebSocketResponse,
        tracker: RunTracker,
        on_progress: ProgressCallback | None,
    ) -> RunOutcome | None:
        while not tracker.finished:
            try:
                message = await ws.receive(timeout=self._idle_check_s)
            except TimeoutError:
                # A silent socket: the run may be long done (its frames went elsewhere).
                outcome = await self._check(tracker.prompt_id)
                if outcome is not None:
                    return outcome
                continue
            if message.type in _SOCKET_GONE:
                log.info("ComfyUI websocket closed mid-run; polling /history")
                return None
            if message.type is aiohttp.WSMsgType.TEXT:
                progress = tracker.feed(_decode_frame(message.data))
                if progress is not None:
                    await _report(on_progress, progress)
            # Binary frames are preview images; the real images come from /view.
        return None

    async def _poll(self, tracker: RunTracker) -> RunOutcome:
        loop = asyncio.get_running_loop()
        unreachable_since: float | None = None
        while True:
            try:
                outcome = await self._check(tracker.prompt_id)
                unreachable_since = None
            except ComfyUnreachable as exc:
                # A server restarting is not a failed run: keep asking for a while.
                tracker.last_problem = str(exc)
                unreachable_since = unreachable_since or loop.time()
                if loop.time() - unreachable_since >= self._unreachable_grace_s:
                    raise ComfyUnreachable(
                        f"{exc}; it has not answered for {self._unreachable_grace_s:g} s"
                    ) from exc
                outcome = None
            if outcome is not None:
                return outcome
            await asyncio.sleep(self._poll_interval)

    async def _check(self, prompt_id: str) -> RunOutcome | None:
        """History's answer; raises ComfyRunLost when neither history nor queue has it."""
        outcome = await self.history(prompt_id)
        if outcome is not None or await self._in_queue(prompt_id):
            return outcome
        # Queue first, then history: a job leaves the queue only once its history entry is
        # written, so missing from both, in this order, means the server forgot it.
        outcome = await self.history(prompt_id)
        if outcome is None:
            raise ComfyRunLost(
                f"The image server no longer knows run {prompt_id} "
                "(it restarted or the job was deleted); start it again"
            )
        return outcome

    # ---- HTTP plumbing ----------------------------------------------------------------

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    def _url(self, *segments: str) -> URL:
        return self._base.joinpath(*segments)

    def _ws_url(self, prompt_id: str) -> URL:
        scheme = "wss" if self._base.scheme == "https" else "ws"
        url = self._base.with_scheme(scheme).joinpath("ws")
        return url.with_query(clientId=self._run_client_id(prompt_id))

    @asynccontextmanager
    async def _call(
        self, method: str, url: URL, **kwargs: Any
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        try:
            async with self._http().request(
                method, url, timeout=self._timeout, **kwargs
            ) as response:
                yield response
        except (aiohttp.ClientError, TimeoutError) as exc:
            where = f"{self._base.host}:{self._base.port}"
            reason = str(exc) or type(exc).__name__
            if isinstance(exc, TimeoutError):
                reason = "no answer in time"
            raise ComfyUnreachable(
                f"The image server at {where} could not be reached ({reason})"
            ) from exc

    async def _post_empty(self, path: str, **kwargs: Any) -> None:
        """POST to a route that answers 200 with an empty body."""
        async with self._call("POST", self._url(path), **kwargs) as response:
            if response.status != 200:
                raise _status_error(response.status, path)

    async def _json(
        self, method: str, *segments: str, expect: set[int] | None = None, **kwargs: Any
    ) -> tuple[int, Any]:
        async with self._call(method, self._url(*segments), **kwargs) as response:
            status, raw = response.status, await response.read()
        if status not in (expect or {200}):
            raise _status_error(status, "/".join(segments))
        try:
            return status, json.loads(raw)
        except ValueError as exc:
            raise ComfyServerError(
                f"The image server sent something that is not JSON for /{segments[0]}"
                f" (HTTP {status})"
            ) from exc


def _status_error(status: int, path: str) -> ComfyServerError:
    if status == 403:
        return ComfyServerError(
            "The image server refused the request (HTTP 403); a proxy in front of it may "
            "be adding an Origin header that does not match the host"
        )
    if status >= 500:
        return ComfyServerError(f"The image server failed (HTTP {status} on /{path})")
    return ComfyServerError(f"Unexpected HTTP {status} from the image server for /{path}")


def _decode_frame(data: str) -> object:
    try:
        return json.loads(data)
    except ValueError:
        return None


async def _report(on_progress: ProgressCallback | None, progress: Progress) -> None:
    if on_progress is None:
        return
    try:
        await on_progress(progress)
    except Exception:
        # Progress is best effort: a failed chat edit must not lose a finished run.
        log.warning("ComfyUI progress callback failed", exc_info=True)


def comfy_client(settings: ComfySettings) -> ComfyClient | None:
    """The client for COMFYUI_URL, or None when images are off."""
    if settings.url is None:
        return None
    return ComfyClient(
        str(settings.url), client_id=CLIENT_ID, poll_interval=settings.poll_interval_s,
        deadline_s=settings.deadline_s,
    )  # fmt: skip
