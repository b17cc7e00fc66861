"""Posts and runs: which posts may get a run, and how they move when it starts, is picked
or is given up. Every move goes through PostService, so it is conditional and recorded."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from core.errors import CopilotError
from core.pipeline.models import LinkedPost, RunPost, RunView
from core.posts.service import PostService
from core.posts.views import PostView
from domain.formats import TEXT_FORMAT
from domain.statuses import PostStatus

log = logging.getLogger(__name__)

S = PostStatus
# A post that needs a picture: never had one (draft) or gets a new one (ready).
STARTABLE = frozenset({S.DRAFT, S.READY})


def problem_with(post: PostView, active: Mapping[int, int], prompt: str | None) -> str | None:
    """Why this post can't get a new run now, or None when it can."""
    if post.format == TEXT_FORMAT:
        return f"Post #{post.id} is a text post; it needs no image."
    if post.id in active:
        return (
            f"Post #{post.id} already waits on image run #{active[post.id]}; "
            "pick, regenerate or cancel that one first (/pickimage)."
        )
    if post.status not in STARTABLE | {S.AWAITING_IMAGE}:
        return f"Post #{post.id} is {post.status}; images are made for draft or ready posts."
    if not (prompt or post.image_prompt or "").strip():
        return (
            f"Post #{post.id} has no image prompt; send /images {post.id} followed by "
            "what the picture should show."
        )
    return None


class PostLinker:
    def __init__(self, posts: PostService) -> None:
        self._posts = posts

    async def claim(self, posts: Sequence[PostView], actor: str) -> list[str]:
        """draft|ready → awaiting_image; the problems of posts that changed meanwhile."""
        problems = []
        for post in posts:
            if post.status == S.AWAITING_IMAGE:
                continue  # waiting already, on a run that failed or was replaced
            try:
                await self._posts.transition(
                    post.id, S.AWAITING_IMAGE, actor=actor, expected=post.status
                )
            except CopilotError as error:
                problems.append(str(error))
        return problems

    async def link(self, run: RunView, actor: str) -> tuple[LinkedPost, ...]:
        """The picked image is theirs now: awaiting_image → ready (→ scheduled if approved)."""
        return tuple([await self._link_one(post, actor) for post in run.posts])

    async def _link_one(self, post: RunPost, actor: str) -> LinkedPost:
        if post.status != S.AWAITING_IMAGE:
            return LinkedPost(post.id, post.status, f"it is {post.status}, so it stays there")
        try:
            view = await self._posts.transition(
                post.id, S.READY, actor=actor, expected=S.AWAITING_IMAGE
            )
            if view.approved and view.scheduled_at is not None:
                view = await self._posts.transition(
                    post.id, S.SCHEDULED, actor=actor, expected=S.READY
                )
        except CopilotError as error:
            log.info("post %s not linked to run: %s", post.id, error)
            return LinkedPost(post.id, (await self._posts.get(post.id)).status, str(error))
        return LinkedPost(post.id, view.status)

    async def release(
        self, run: RunView, previous: Mapping[int, str], still_waiting: Mapping[int, int]
    ) -> tuple[LinkedPost, ...]:
        """A cancelled run: its posts go back where they were, unless another run has them."""
        released = []
        for post in run.posts:
            if post.status != S.AWAITING_IMAGE or post.id in still_waiting:
                released.append(LinkedPost(post.id, post.status))
                continue
            back = previous.get(post.id, S.DRAFT)
            try:
                view = await self._posts.transition(
                    post.id, back, actor="image-pipeline", expected=S.AWAITING_IMAGE
                )
            except CopilotError as error:
                released.append(LinkedPost(post.id, post.status, str(error)))
                continue
            released.append(LinkedPost(post.id, view.status))
        return tuple(released)
