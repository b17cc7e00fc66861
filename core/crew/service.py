"""CrewService: ask for a review, read its progress and result, confirm a compliance failure.

A request stores the draft with the brand it is judged by (a snapshot, so the review is of
exactly what was asked) and returns at once. A worker runs it: in this process right away
once `start()` was called (bot/crew_jobs.py), and in any replica through `sweep()`, which
also takes over runs a crash cut off. Every run is a database claim with a lease, so a
review is run once however many replicas and taps there are.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import socket
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.brands.guidelines import BrandGuidelines
from core.clock import Clock
from core.crew.orchestrator import CreatorFailed, CrewOrchestrator, waiting
from core.crew.ports import Brands, CrewLLM
from core.crew.types import CrewReport, CrewReview, Draft, StepReport
from core.errors import ValidationFailed
from core.suggestions.ports import PromptRenderer
from domain.crew import ItemKind, ReviewStatus, StepState
from storage.models import CrewReviewRow
from storage.repos import crew as repo

log = logging.getLogger(__name__)

# Reviews one process runs at once: a backlog (the bot was down) queues here instead of
# firing every model call together. Each review is itself up to three calls at once.
RUNS_AT_ONCE = 3
# Runs a crash cut off are taken over this often before the review is failed.
MAX_ATTEMPTS = 3
# Three stages run one after another (creator, the reviewers, the optimizer).
STAGES = 3
LEASE_MARGIN_S = 30
SWEEP_BATCH = 50
UNEXPECTED = "The review crew stopped on an unexpected error; the draft itself is unchanged."
GAVE_UP = "The review crew was interrupted several times and gave up; the draft is unchanged."


class CrewService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        prompts: PromptRenderer,
        llm: CrewLLM,
        brands: Brands,
        *,
        enabled: bool,
        step_timeout_s: float,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._brands = brands
        self._enabled = enabled
        self._llm = llm
        self._crew = CrewOrchestrator(prompts, llm, step_timeout_s=step_timeout_s)
        self._lease = timedelta(seconds=step_timeout_s * STAGES + LEASE_MARGIN_S)
        self._owner = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._turns = asyncio.Semaphore(RUNS_AT_ONCE)
        self._tasks: dict[int, asyncio.Task[bool]] = {}
        self._live = False

    @property
    def enabled(self) -> bool:
        """CREW_ENABLED and a model to ask; a brand can still switch it off for itself."""
        return self._enabled

    # -- asking and reading ----------------------------------------------------------------

    async def request(self, draft: Draft, *, again: bool = False) -> CrewReview | None:
        """Queue a review of this draft; None when the crew is off for it.

        The same content of the same item (judged by the same brand) is reviewed once: the
        existing review comes back. `again` re-runs a finished one (a person asked).
        """
        if draft.brief is None and not draft.text.strip():
            raise ValidationFailed(["The draft has no text for the review crew to read."])
        brand = await self._brand_for(draft)
        if not self._enabled or (brand is not None and not brand.crew_enabled):
            return None
        review_id, waits = await self._store(draft, brand, again=again)
        if self._live and waits:
            self._spawn(review_id)
        review = await self.get(review_id)
        assert review is not None  # just stored; reviews are never deleted
        return review

    async def get(self, review_id: int) -> CrewReview | None:
        async with self._sessions() as session:
            row = await repo.get(session, review_id)
            return _view(row) if row is not None else None

    async def latest(self, kind: ItemKind, item_id: int) -> CrewReview | None:
        """The item's review last asked for (its current content's, if it was asked)."""
        async with self._sessions() as session:
            row = await repo.latest(session, kind.value, item_id)
            return _view(row) if row is not None else None

    async def latest_of(self, kind: ItemKind, item_ids: Iterable[int]) -> dict[int, CrewReview]:
        """Each item's latest review, for a list of cards; items without one are left out."""
        async with self._sessions() as session:
            rows = await repo.latest_of(session, kind.value, item_ids)
            return {item_id: _view(row) for item_id, row in rows.items()}

    async def wait(
        self, review_id: int, timeout_s: float, *, poll_s: float = 0.5
    ) -> CrewReview | None:
        """The review once finished, or as it stands when `timeout_s` ran out."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            review = await self.get(review_id)
            if review is None or review.finished:
                return review
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return review
            await asyncio.sleep(min(poll_s, left))

    # -- the compliance gate ---------------------------------------------------------------

    async def blocks_approval(self, kind: ItemKind, item_id: int) -> bool:
        """Its latest review failed compliance and nobody has confirmed they checked it.

        A review still running blocks nothing: Approve is never held hostage by a slow model.
        """
        review = await self.latest(kind, item_id)
        return review is not None and review.blocks_approval

    async def confirm_compliance(self, kind: ItemKind, item_id: int, admin_id: int) -> bool:
        """ "Approve anyway? I checked it": True when this call recorded it (a second tap,
        or a second admin, finds it done and gets False)."""
        async with self._sessions() as session, session.begin():
            row = await repo.latest(session, kind.value, item_id)
            if row is None:
                return False
            at = self._clock.now()
            return await repo.confirm_compliance(session, row.id, admin_id=admin_id, at=at)

    async def confirm_review(self, review_id: int, admin_id: int) -> bool:
        """The same confirmation on one review by id: the one a gate checked against the
        item's current words (its newest row may be another text's, after edits back and
        forth). True when this call recorded it; False when already confirmed or nothing
        to confirm (not finished, or no compliance failure)."""
        async with self._sessions() as session, session.begin():
            at = self._clock.now()
            return await repo.confirm_compliance(session, review_id, admin_id=admin_id, at=at)

    # -- the worker ------------------------------------------------------------------------

    def start(self) -> None:
        """Run requests in this process as they come (the bot calls this once it is up)."""
        self._live = True

    async def sweep(self) -> None:
        """Start every review nobody is running: new ones from other replicas, cut-off runs."""
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            failed = await repo.give_up(session, max_attempts=MAX_ATTEMPTS, error=GAVE_UP, now=now)
            due = await repo.due(session, now, limit=SWEEP_BATCH)
        if failed:
            log.warning("crew: %d review(s) failed after %d interrupted runs", failed, MAX_ATTEMPTS)
        for review_id in due:
            self._spawn(review_id)

    async def run_pending(self) -> int:
        """Run every review waiting now to its end; how many this call ran (tests, bench)."""
        await self.sweep()
        results = await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)
        return sum(1 for result in results if result is True)

    async def idle(self) -> None:
        """Wait until no run of this process is left."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def stop(self) -> None:
        """Cut off this process's runs and hand their claims back for the next start."""
        self._live = False
        for task in list(self._tasks.values()):
            task.cancel()
        await self.idle()
        async with self._sessions() as session, session.begin():
            await repo.release(session, self._owner, now=self._clock.now())

    # -- internals -------------------------------------------------------------------------

    async def _brand_for(self, draft: Draft) -> BrandGuidelines | None:
        if draft.brand_id is not None:
            return (await self._brands.get(draft.brand_id)).guidelines
        return await self._brands.for_persona(draft.persona_id)

    async def _store(
        self, draft: Draft, brand: BrandGuidelines | None, *, again: bool
    ) -> tuple[int, bool]:
        """The review's id, and whether it waits for a worker.

        Cards ask on every redraw, so the usual case (the row exists and is the item's
        latest) is reads only.
        """
        snapshot = {
            # Without `parts` when it has none: the snapshot (and so the content hash) of
            # every other draft stays what it was before the field existed, and their
            # reviews are found again instead of run twice.
            "draft": draft.model_dump(mode="json", exclude=None if draft.parts else {"parts"}),
            "brand": brand.model_dump(mode="json") if brand is not None else None,
        }
        new = repo.NewReview(
            kind=draft.kind.value,
            item_id=draft.item_id,
            content_hash=content_hash(snapshot),
            draft=snapshot,
            steps=_dump_steps(waiting(draft)),
        )
        at = self._clock.now()
        async with self._sessions() as session, session.begin():
            row = await repo.find(session, new.kind, new.item_id, new.content_hash)
            if row is None:
                review_id = await repo.add(session, new, at=at)
                if review_id is not None:
                    return review_id, True
                row = await repo.find(session, new.kind, new.item_id, new.content_hash)
                assert row is not None  # the insert lost to it; rows are never deleted
            if again and await repo.rerun(session, row.id, new.steps, at=at):
                return row.id, True
            latest = await repo.latest(session, new.kind, new.item_id)
            if latest is not None and latest.id != row.id:
                await repo.asked_again(session, row.id, at=at)
            return row.id, row.status == ReviewStatus.PENDING

    def _spawn(self, review_id: int) -> None:
        if review_id in self._tasks:
            return  # this process runs it already
        task = asyncio.create_task(self._run(review_id), name=f"crew:{review_id}")
        self._tasks[review_id] = task

        def done(task: asyncio.Task[bool]) -> None:
            self._tasks.pop(review_id, None)
            # The database failed under the run: its lease lapses and a sweep runs it again.
            if not task.cancelled() and (error := task.exception()) is not None:
                log.error("crew review %d: the run broke off", review_id, exc_info=error)

        task.add_done_callback(done)

    async def _run(self, review_id: int) -> bool:
        """Claim the review and run the crew on it; False when another worker has it."""
        async with self._turns:
            row = await self._claim(review_id)
            if row is None:
                return False
            draft = Draft.model_validate(row.draft["draft"])
            brand_data = row.draft["brand"]
            brand = BrandGuidelines.model_validate(brand_data) if brand_data else None
            await self._execute(review_id, draft, brand)
            return True

    async def _claim(self, review_id: int) -> CrewReviewRow | None:
        now = self._clock.now()
        async with self._sessions() as session, session.begin():
            claimed = await repo.claim(
                session, review_id, owner=self._owner, until=now + self._lease, now=now
            )
            return await repo.get(session, review_id) if claimed else None

    async def _execute(self, review_id: int, draft: Draft, brand: BrandGuidelines | None) -> None:
        async def progress(steps: list[StepReport]) -> None:
            await self._write(repo.progress, review_id, self._owner, _dump_steps(steps),
                              until=self._clock.now() + self._lease)  # fmt: skip

        try:
            await self._llm.warm_up()
            report = await self._crew.run(draft, brand, progress)
        except CreatorFailed as exc:
            steps = _dump_steps(_nothing_to_review(exc.steps))
            await self._write(repo.fail, review_id, self._owner, error=str(exc), steps=steps)
        except Exception:  # a bug or the database: the review fails, the draft stays as it is
            log.exception("crew review %d failed", review_id)
            await self._write(repo.fail, review_id, self._owner, error=UNEXPECTED, steps=None)
        else:
            await self._write(repo.finish, review_id, self._owner, report.model_dump(mode="json"),
                              compliance_failed=report.compliance_failed)  # fmt: skip

    async def _write(self, change: Any, *args: Any, **kwargs: Any) -> None:
        """One conditional update in its own transaction; a lost lease just logs."""
        async with self._sessions() as session, session.begin():
            done = await change(session, *args, now=self._clock.now(), **kwargs)
        if not done:
            log.warning("crew: %s of review %s found it no longer ours", change.__name__, args[0])


def content_hash(snapshot: dict[str, Any]) -> str:
    """sha256 of the draft (less its kind and id, in the key already) and its brand."""
    draft = {k: v for k, v in snapshot["draft"].items() if k not in ("kind", "item_id")}
    text = json.dumps({"draft": draft, "brand": snapshot["brand"]}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _dump_steps(steps: list[StepReport]) -> list[dict[str, Any]]:
    return [step.model_dump(mode="json") for step in steps]


def _nothing_to_review(steps: list[StepReport]) -> list[StepReport]:
    """After the creator failed, the reviewers never ran: say so on each."""
    reason = "nothing to review: the creator wrote no draft"
    return [
        step.model_copy(update={"state": StepState.SKIPPED, "reason": reason})
        if step.state is StepState.WAITING
        else step
        for step in steps
    ]


def _view(row: CrewReviewRow) -> CrewReview:
    return CrewReview(
        id=row.id,
        kind=ItemKind(row.kind),
        item_id=row.item_id,
        content_hash=row.content_hash,
        status=ReviewStatus(row.status),
        steps=[StepReport.model_validate(step) for step in row.steps],
        report=CrewReport.model_validate(row.report) if row.report is not None else None,
        error=row.error or "",
        cost_microusd=row.cost_microusd,
        compliance_confirmed_by=row.compliance_confirmed_by,
        compliance_confirmed_at=row.compliance_confirmed_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
