"""Drives runs through ComfyUI: a slot, submit, watch, fetch, store; or fail in plain words.

At most `max_runs` runs hold a slot (submitted or rendering); the others wait `pending`.
The watcher and a signed callback may both learn that a run finished: the result is
applied under a per-run lock and a conditional UPDATE (`WHERE status IN pending, running`),
so it is applied once, by whichever comes first. The tasks here belong to the pipeline,
not to a Telegram update: closing the bot cancels them, and the next start reconciles.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.comfyui import ComfyAPI, ComfyError, ImageRef, Progress, RunOutcome, WorkflowTemplate
from core.config import ComfySettings
from core.pipeline.files import ImageStore
from core.pipeline.models import IN_FLIGHT, RunProgress, RunStatus, RunView
from core.pipeline.ports import RunObserver, SilentObserver
from core.pipeline.queries import image_views, run_view
from core.pipeline.throttle import DEFAULT_INTERVAL_S, ProgressThrottle
from storage.repos import pipeline as repo

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_CANDIDATES = 10  # a Telegram media group holds 2 to 10 photos
OUR_FAULT = "Something went wrong on our side (it has been logged); try again."


class RunExecutor:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        client: ComfyAPI,
        store: ImageStore,
        settings: ComfySettings,
        *,
        throttle_s: float = DEFAULT_INTERVAL_S,
    ) -> None:
        self._sessions, self._clock, self._client = sessions, clock, client
        self._store, self._settings, self._throttle_s = store, settings, throttle_s
        self._slots = asyncio.Semaphore(settings.max_runs)
        self._drivers: dict[int, asyncio.Task[None]] = {}
        self._watches: dict[int, asyncio.Task[RunOutcome]] = {}
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()
        self._background: set[asyncio.Task[Any]] = set()
        self.observer: RunObserver = SilentObserver()
        self.template: WorkflowTemplate | None = None
        self.template_problem = "the workflow is not loaded yet"

    # ---- scheduling ----------------------------------------------------------------------

    def schedule(self, run_id: int) -> None:
        """Start driving the run (once): it waits for a slot, then submits or re-attaches."""
        if run_id not in self._drivers:
            task = asyncio.create_task(self._drive(run_id), name=f"image-run-{run_id}")
            self._drivers[run_id] = task
            task.add_done_callback(lambda _: self._drivers.pop(run_id, None))

    async def tell_queued(self, run: RunView) -> None:
        await _tell(self.observer.queued(run))

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.create_task(_logged(work), name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def stop_watching(self, run_id: int) -> None:
        watch = self._watches.get(run_id)
        if watch is not None:
            watch.cancel()

    def abandon(self, run: RunView) -> None:
        """A cancelled run: stop following it, and stop ComfyUI spending the GPU on it."""
        self.stop_watching(run.id)
        self.spawn(self._client.cancel(run.prompt_id), f"image-run-{run.id}-cancel")

    async def close(self) -> None:
        tasks = [*self._drivers.values(), *self._background]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # ---- one run -------------------------------------------------------------------------

    async def _drive(self, run_id: int) -> None:
        try:
            async with self._slots:
                await self._advance(run_id)
        except ComfyError as error:
            await self.fail(run_id, str(error))
        except Exception:
            log.exception("image run %s crashed", run_id)
            await self.fail(run_id, OUR_FAULT)

    async def _advance(self, run_id: int) -> None:
        run = await self._view(run_id)
        if run.replaced_by_id is not None or run.status not in IN_FLIGHT:
            return
        if run.status == RunStatus.PENDING:
            started = await self._submit(run)
            if started is None:
                return
            run = started
        outcome = await self._watch(run)
        if outcome is not None:
            await self.finish(run_id, outcome)

    async def _submit(self, run: RunView) -> RunView | None:
        # Submitting again after a crash is harmless: the client asks ComfyUI first.
        submitted = await self._client.submit(self._workflow(run), run.prompt_id)
        now = self._clock.now()
        async with self._sessions.begin() as session:
            moved = await repo.move_run(
                session, run.id, from_statuses={RunStatus.PENDING}, to_status=RunStatus.RUNNING,
                at=now, started_at=now, prompt_id=submitted.prompt_id,
            )  # fmt: skip
        if not moved:  # cancelled while it was being submitted: ComfyUI has it anyway
            await self._client.cancel(submitted.prompt_id)
            return None
        started = await self._view(run.id)
        await _tell(self.observer.started(started))
        return started

    def _workflow(self, run: RunView) -> dict[str, Any]:
        if self.template is None:
            raise ComfyError(f"Image generation can't start: {self.template_problem}")
        settings = self._settings
        return self.template.fill(
            prompt=run.image_prompt, negative_prompt=settings.negative_prompt, seed=run.seed,
            width=settings.width, height=settings.height, batch_size=run.batch_size,
        )  # fmt: skip

    async def _watch(self, run: RunView) -> RunOutcome | None:
        """The outcome, or None when a callback or a cancel ended the run meanwhile."""
        throttle = ProgressThrottle(self._throttle_s)

        async def report(progress: Progress) -> None:
            if throttle.ready():
                await _tell(self.observer.progress(run, RunProgress.of(run.id, progress)))

        watch = asyncio.create_task(self._client.watch(run.prompt_id, report))
        self._watches[run.id] = watch
        try:
            await asyncio.wait({watch})
        finally:
            self._watches.pop(run.id, None)
            if not watch.done():  # we are being cancelled ourselves
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch
        return None if watch.cancelled() else watch.result()

    # ---- outcomes ------------------------------------------------------------------------

    async def finish(self, run_id: int, outcome: RunOutcome) -> None:
        """Apply a finished run once: store the candidates, or fail with the reason."""
        if not outcome.ok:
            await self.fail(run_id, outcome.error or "The image server reported a failure.")
            return
        async with self._lock(run_id):
            run = await self._view(run_id)
            if run.status not in IN_FLIGHT or run.replaced_by_id is not None:
                return  # applied already (callback or watcher), or cancelled
            refs = outcome.images[:MAX_CANDIDATES]
            if not refs:
                raise ComfyError("The image server finished but made no image (no SaveImage?).")
            images = [await self._fetch(run_id, n, ref) for n, ref in enumerate(refs, start=1)]
            if not await self._complete(run_id, images):
                return
        self.stop_watching(run_id)
        await self.announce(run_id)

    async def _fetch(self, run_id: int, position: int, ref: ImageRef) -> dict[str, Any]:
        stored = await self._store.save(run_id, position, await self._client.fetch_image(ref))
        return {
            "position": position, "path": stored.path, "sha256": stored.sha256,
            "size_bytes": stored.size_bytes, "source_name": ref.filename[:255],
        }  # fmt: skip

    async def _complete(self, run_id: int, images: list[dict[str, Any]]) -> bool:
        now = self._clock.now()
        async with self._sessions.begin() as session:
            moved = await repo.move_run(
                session, run_id, from_statuses=IN_FLIGHT, to_status=RunStatus.COMPLETED,
                at=now, finished_at=now,
            )  # fmt: skip
            if moved:
                await repo.add_images(session, run_id, images)
        return moved

    async def fail(self, run_id: int, reason: str) -> None:
        """Fail a queued or rendering run with a reason a person can act on, once."""
        now = self._clock.now()
        async with self._lock(run_id), self._sessions.begin() as session:
            moved = await repo.move_run(
                session, run_id, from_statuses=IN_FLIGHT, to_status=RunStatus.FAILED,
                at=now, finished_at=now, error=reason[:2000],
            )  # fmt: skip
        if moved:
            log.info("image run %s failed: %s", run_id, reason)
            self.stop_watching(run_id)
            await _tell(self.observer.failed(await self._view(run_id)))

    async def announce(self, run_id: int) -> None:
        """Show the candidates and remember where: the Pick message, the photos' file ids."""
        run = await self._view(run_id)
        async with self._sessions() as session:
            images = await image_views(session, run_id, self._store.data_dir)
        delivery = await _tell(self.observer.completed(run, images))
        if delivery is None:
            return
        async with self._sessions.begin() as session:
            await repo.set_messages(session, run_id, pick_message_id=delivery.pick_message_id)
            await repo.set_file_ids(session, run_id, delivery.file_ids)

    async def complete_from_server(self, run_id: int) -> None:
        """A callback said the run finished: fetch exactly as the watcher would."""
        run = await self._view(run_id)
        outcome = await self._client.history(run.prompt_id)
        if outcome is None:
            log.info("callback for run %s came before its history; the watcher goes on", run_id)
            return
        try:
            await self.finish(run_id, outcome)
        except ComfyError as error:
            await self.fail(run_id, str(error))

    # ---- helpers -------------------------------------------------------------------------

    def _lock(self, run_id: int) -> asyncio.Lock:
        lock = self._locks.get(run_id)
        if lock is None:
            lock = self._locks[run_id] = asyncio.Lock()
        return lock

    async def _view(self, run_id: int) -> RunView:
        async with self._sessions() as session:
            return await run_view(session, run_id)


async def _tell(call: Awaitable[T]) -> T | None:
    """Observers are best effort: a chat that can't be reached must not lose the run."""
    try:
        return await call
    except Exception:
        log.warning("image run observer failed", exc_info=True)
        return None


async def _logged(work: Coroutine[Any, Any, Any]) -> None:
    try:
        await work
    except Exception:
        log.exception("image pipeline background work failed")
