"""The image pipeline as use cases: start runs for posts, pick, regenerate, cancel, list.

Runs are created here and driven by RunExecutor in the background; a handler never waits
for ComfyUI. Each decision on a run (pick, regenerate, cancel) is one conditional UPDATE:
a double tap or two admins at once give one change, and the loser is told what happened.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.campaigns.service import CampaignService
from core.clock import Clock
from core.comfyui import ComfyAPI, WorkflowError, load_workflow, new_seed
from core.config import ComfySettings
from core.errors import FeatureOff, InvalidTransition, NotFound, ValidationFailed
from core.pipeline import planning
from core.pipeline.callbacks import PipelineCallbacks
from core.pipeline.executor import RunExecutor
from core.pipeline.files import ImageStore
from core.pipeline.linking import PostLinker
from core.pipeline.models import (
    CANCELLABLE,
    REPLACEABLE,
    CancelResult,
    Delivery,
    ImageView,
    PickResult,
    RunPage,
    RunStatus,
    RunView,
    StatusTarget,
)  # fmt: skip
from core.pipeline.planning import ImagePlan
from core.pipeline.ports import RunObserver
from core.pipeline.queries import image_views, refusal, run_view
from core.pipeline.reconcile import reconcile
from core.pipeline.throttle import DEFAULT_INTERVAL_S
from core.posts.service import PostService
from domain.statuses import PostStatus
from storage.repos import pipeline as repo

log = logging.getLogger(__name__)
IMAGE_FEATURES = "image generation (/images, /campaignimages)"

OFF = (
    "Image generation is off: set COMFYUI_URL to your ComfyUI server "
    "(and COMFYUI_WORKFLOW to your own API-format workflow, if you like)."
)


class PipelineService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        posts: PostService,
        campaigns: CampaignService,
        settings: ComfySettings,
        data_dir: Path,
        *,
        client: ComfyAPI | None = None,
        throttle_s: float = DEFAULT_INTERVAL_S,
    ) -> None:
        self._sessions, self._clock, self._settings = sessions, clock, settings
        self._posts, self._campaigns = posts, campaigns
        self._linker = PostLinker(posts)
        self._store = ImageStore(data_dir)
        self._client = client  # None: COMFYUI_URL is not set, images are off
        self._executor = (
            RunExecutor(sessions, clock, self._client, self._store, settings, throttle_s=throttle_s)
            if self._client is not None
            else None
        )

    @property
    def enabled(self) -> bool:
        return self._executor is not None

    def _on(self) -> RunExecutor:
        """The executor, or FeatureOff with what to set, before anything is looked up."""
        if self._executor is None:
            raise FeatureOff(OFF)
        if self._executor.template is None:
            raise FeatureOff(f"Image generation is off: {self._executor.template_problem}.")
        return self._executor

    def callbacks(self, secret: str | None) -> PipelineCallbacks:
        """The receiver of signed pipeline callbacks (POST /webhooks/pipeline)."""
        return PipelineCallbacks(self._sessions, self._clock, self._executor, secret)

    # ---- lifecycle -----------------------------------------------------------------------

    async def open(self, observer: RunObserver) -> None:
        """Load the workflow, then pick up every run a previous process left unfinished."""
        if self._executor is None:
            return
        self._executor.observer = observer
        try:
            self._executor.template = await load_workflow(self._settings.workflow)
        except WorkflowError as error:
            self._executor.template_problem = str(error)
            # Said at start-up, not first when someone asks for images.
            log.warning("COMFYUI_WORKFLOW: %s: %s is off until it is fixed", error, IMAGE_FEATURES)
        self._executor.spawn(reconcile(self._executor, self._linker, self._sessions), "reconcile")

    async def close(self) -> None:
        if self._executor is not None:
            await self._executor.close()
        if self._client is not None:
            await self._client.close()

    # ---- starting runs -------------------------------------------------------------------

    async def start(
        self,
        post_ids: tuple[int, ...],
        *,
        target: StatusTarget,
        user_id: int,
        prompt: str | None = None,
    ) -> RunView:
        """One run for these posts; they wait on it (awaiting_image) until a pick."""
        self._on()
        prompt = planning.checked_prompt(prompt) if prompt is not None else None
        posts = [await self._posts.get(post_id) for post_id in post_ids]
        async with self._sessions() as session:
            previous = await planning.check_startable(session, posts, prompt)
        text = prompt or planning.shared_prompt(posts)
        run_id = await self._insert(text, target, user_id, previous)
        problems = await self._linker.claim(posts, actor=f"user:{user_id}")
        if problems:
            # A post changed under the starting run: it never starts, and nothing waits on it.
            await self._cancel(run_id, frozenset({RunStatus.PENDING}))
            raise ValidationFailed(problems)
        return await self._launch(run_id)

    async def campaign_plan(self, campaign_id: int) -> ImagePlan:
        """The runs /campaignimages would start: one per distinct prompt of posts needing one."""
        self._on()
        await self._campaigns.get(campaign_id)
        posts = await self._posts.campaign_posts(campaign_id)
        async with self._sessions() as session:
            return await planning.plan_for(session, posts)

    async def replace(
        self, run_id: int, *, target: StatusTarget, user_id: int, prompt: str | None = None
    ) -> RunView:
        """Regenerate (fresh seed), Edit prompt, or Retry a failed run: a new run, same posts."""
        executor = self._on()
        if prompt is not None:
            prompt = planning.checked_prompt(prompt)
        elif executor.template is not None and not executor.template.seeded:
            raise InvalidTransition(planning.UNSEEDED)
        async with self._sessions.begin() as session:
            old = await run_view(session, run_id)
            new = await repo.insert_run(session, **self._run_values(prompt or old.image_prompt,
                                                                    target, user_id))  # fmt: skip
            cancel = {"status": RunStatus.CANCELLED} if old.status == RunStatus.COMPLETED else {}
            claimed = await repo.claim_replacement(
                session, run_id, new.id, statuses={old.status} & REPLACEABLE, **cancel
            )
            if not claimed:
                raise refusal(await run_view(session, run_id))
            await repo.copy_links(session, run_id, new.id)
            new_id = new.id
        return await self._launch(new_id)

    # ---- decisions -----------------------------------------------------------------------

    async def pick(self, run_id: int, position: int, user_id: int) -> PickResult:
        """The winner, once; every post waiting on the run gets it."""
        async with self._sessions.begin() as session:
            if await repo.image_at(session, run_id, position) is None:
                raise NotFound(f"Image run #{run_id} has no image {position}.")
            at = self._clock.now()
            if not await repo.set_pick(session, run_id, position=position, user_id=user_id, at=at):
                raise refusal(await run_view(session, run_id))
        run = await self.get(run_id)
        posts = await self._linker.link(run, actor=f"user:{user_id}")
        image = next(i for i in await self.images(run_id) if i.position == position)
        return PickResult(run=await self.get(run_id), image=image, posts=posts)

    async def cancel(self, run_id: int, user_id: int) -> CancelResult:
        """Give up on a run; its posts go back to where they were."""
        return await self._cancel(run_id, CANCELLABLE)

    # ---- reads and records ---------------------------------------------------------------

    async def get(self, run_id: int) -> RunView:
        async with self._sessions() as session:
            return await run_view(session, run_id)

    async def images(self, run_id: int) -> tuple[ImageView, ...]:
        async with self._sessions() as session:
            return await image_views(session, run_id, self._store.data_dir)

    async def image_bytes(self, image: ImageView) -> bytes:
        return await self._store.read(image.path)

    async def image_of_post(self, post_id: int) -> ImageView | None:
        """The post's picked image, with the Telegram file_id publishing can send again."""
        async with self._sessions() as session:
            row = await repo.picked_image_of_post(session, post_id)
        return ImageView.from_row(row, self._store.data_dir) if row is not None else None

    async def waiting_for_pick(self, *, limit: int = 5) -> RunPage:
        self._on()
        async with self._sessions() as session:
            rows, total = await repo.waiting_for_pick(session, limit=limit)
            items = tuple([await run_view(session, row.id) for row in rows])
        return RunPage(items=items, total=total)

    async def set_status_message(self, run_id: int, message_id: int) -> None:
        async with self._sessions.begin() as session:
            await repo.set_messages(session, run_id, status_message_id=message_id)

    async def record_delivery(self, run_id: int, delivery: Delivery) -> None:
        async with self._sessions.begin() as session:
            await repo.set_messages(session, run_id, pick_message_id=delivery.pick_message_id)
            await repo.set_file_ids(session, run_id, delivery.file_ids)

    # ---- helpers -------------------------------------------------------------------------

    def _run_values(self, prompt: str, target: StatusTarget, user_id: int) -> dict[str, object]:
        return {
            "prompt_id": str(uuid.uuid4()), "status": RunStatus.PENDING, "image_prompt": prompt,
            "seed": new_seed(), "batch_size": self._settings.batch_size,
            "chat_id": target.chat_id, "status_message_id": target.message_id,
            "requested_by": user_id, "created_at": self._clock.now(),
        }  # fmt: skip

    async def _launch(self, run_id: int) -> RunView:
        """Show the run as queued, then let it go: its own updates come after this one."""
        run = await self.get(run_id)
        await self._on().tell_queued(run)
        self._on().schedule(run_id)
        return await self.get(run_id)

    async def _insert(
        self, prompt: str, target: StatusTarget, user_id: int, previous: dict[int, str]
    ) -> int:
        async with self._sessions.begin() as session:
            run = await repo.insert_run(session, **self._run_values(prompt, target, user_id))
            await repo.link_posts(session, run.id, previous)
            return run.id

    async def _cancel(self, run_id: int, statuses: frozenset[RunStatus]) -> CancelResult:
        async with self._sessions.begin() as session:
            # Running first: the move that succeeds says whether ComfyUI has the job, even
            # if the executor submitted it a moment ago.
            running = statuses & {RunStatus.RUNNING}
            was_running = await self._move_to_cancelled(session, run_id, running)
            moved = was_running or await self._move_to_cancelled(
                session, run_id, statuses - running
            )
            run = await run_view(session, run_id)
            if not moved:
                raise refusal(run)
            previous = {p.id: await repo.last_previous_status(session, p.id) or PostStatus.DRAFT
                        for p in run.posts}  # fmt: skip
            # This run is cancelled now, so only other runs count as still holding a post.
            still_waiting = await repo.active_runs_of(session, run.post_ids)
        if self._executor is not None and was_running:
            self._executor.abandon(run)
        elif self._executor is not None:
            self._executor.stop_watching(run_id)
        posts = await self._linker.release(run, previous, still_waiting)
        return CancelResult(run=await self.get(run_id), posts=posts)

    async def _move_to_cancelled(
        self, session: AsyncSession, run_id: int, statuses: Collection[RunStatus]
    ) -> bool:
        if not statuses:
            return False
        now = self._clock.now()
        return await repo.move_run(
            session, run_id, from_statuses=set(statuses), to_status=RunStatus.CANCELLED,
            at=now, finished_at=now,
        )  # fmt: skip
