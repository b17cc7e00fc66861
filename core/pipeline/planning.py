"""Which posts get which run: checks before a start, and one run per distinct prompt.

Posts of a campaign that share an image prompt share a run: one pick links the winner to
all of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import ValidationFailed
from core.pipeline.linking import STARTABLE, problem_with
from core.pipeline.models import MAX_PROMPT, ImageRequest
from core.posts.views import PostView
from domain.formats import TEXT_FORMAT
from domain.statuses import PostStatus
from storage.repos import pipeline as repo

UNSEEDED = (
    'Your workflow has no "{{seed}}" input, so ComfyUI would send the same images again. '
    'Put "{{seed}}" in the sampler\'s seed, or use Edit prompt.'
)


@dataclass(frozen=True)
class ImagePlan:
    requests: tuple[ImageRequest, ...]
    skipped: tuple[str, ...]
    """One line per post left out, and why."""


def checked_prompt(text: str) -> str:
    prompt = " ".join(text.split())
    if not prompt:
        raise ValidationFailed(["The image prompt is empty; describe what the picture shows."])
    if len(prompt) > MAX_PROMPT:
        raise ValidationFailed(
            [f"The image prompt is {len(prompt)} characters; {MAX_PROMPT} is the most."]
        )
    return prompt


def shared_prompt(posts: Sequence[PostView]) -> str:
    """The prompt of posts started together without one given (checked to exist before)."""
    return checked_prompt(posts[0].image_prompt or "")


async def check_startable(
    session: AsyncSession, posts: Sequence[PostView], prompt: str | None
) -> dict[int, str]:
    """Raise with every problem, or return where each post goes back to if cancelled."""
    if not posts:
        raise ValidationFailed(["Name at least one post."])
    active = await repo.active_runs_of(session, [post.id for post in posts])
    problems = [p for post in posts if (p := problem_with(post, active, prompt)) is not None]
    prompts = {_key(post.image_prompt) for post in posts}
    if prompt is None and len(prompts) > 1 and not problems:
        problems.append("These posts have different image prompts; start one run per post.")
    if problems:
        raise ValidationFailed(problems)
    return {post.id: await _previous(session, post) for post in posts}


async def plan_for(session: AsyncSession, posts: Sequence[PostView]) -> ImagePlan:
    """Posts needing an image, grouped by prompt; the others with the reason."""
    candidates = [post for post in posts if await _needs_image(session, post)]
    active = await repo.active_runs_of(session, [post.id for post in candidates])
    groups: dict[str, list[int]] = {}
    skipped = []
    for post in candidates:
        problem = problem_with(post, active, None)
        if problem is not None:
            skipped.append(problem)
            continue
        groups.setdefault(_key(post.image_prompt), []).append(post.id)
    prompts: dict[str, str] = {}
    for post in candidates:  # the first post's wording names the run
        prompts.setdefault(_key(post.image_prompt), post.image_prompt or "")
    requests = tuple(
        ImageRequest(tuple(ids), checked_prompt(prompts[key])) for key, ids in groups.items()
    )
    return ImagePlan(requests=requests, skipped=tuple(skipped))


async def _needs_image(session: AsyncSession, post: PostView) -> bool:
    if post.format == TEXT_FORMAT or post.status not in STARTABLE | {PostStatus.AWAITING_IMAGE}:
        return False
    if post.status == PostStatus.READY:  # ready with a picture already needs none
        return await repo.picked_image_of_post(session, post.id) is None
    return True


async def _previous(session: AsyncSession, post: PostView) -> str:
    if post.status != PostStatus.AWAITING_IMAGE:
        return post.status
    # Waiting on a failed or replaced run: go back where that run's post came from.
    return await repo.last_previous_status(session, post.id) or PostStatus.DRAFT


def _key(prompt: str | None) -> str:
    return " ".join((prompt or "").split()).casefold()
