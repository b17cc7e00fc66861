"""🔄 Regenerate on a post card: a new caption and hashtags, in the post's persona's voice.

The model call never runs inside a database transaction. The answer is stored through
PostService with a conditional update on what the card showed, so a post edited or
decided meanwhile is never overwritten, and a failed or invalid answer stores nothing.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, ClassVar
from zoneinfo import ZoneInfo

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from core.errors import NotFound
from core.experiments.keys import item_key
from core.personas.service import PersonaService
from core.posts.service import PostService
from core.posts.views import PostView
from core.redo import Redone, same_text
from core.suggestions.ports import PromptRenderer, StructuredLLM
from domain.crew import ItemKind
from domain.formats import IMAGE_FORMAT, TEXT_FORMAT, limit_for, published_length
from domain.hashtags import HASHTAG_PATTERN, normalize_hashtags

TEMPLATE = "regenerate_post"
MAX_HASHTAGS = 30
Caption = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4096)]


class PostRewrite(BaseModel):
    """The model's answer for a post sent as a photo, video or album caption."""

    model_config = ConfigDict(extra="ignore")
    limit: ClassVar[int] = limit_for(IMAGE_FORMAT)

    caption: Caption = Field(description="The new caption, without the hashtags")
    # The pattern only shapes what the model may write (llama.cpp compiles it into its
    # grammar); validation stays lenient and normalises "cosy home" to "#cosyhome".
    hashtags: list[str] = Field(
        default_factory=list,
        max_length=MAX_HASHTAGS,
        json_schema_extra={"items": {"type": "string", "pattern": HASHTAG_PATTERN}},
    )

    @field_validator("hashtags")
    @classmethod
    def _normalise(cls, value: list[str]) -> list[str]:
        return normalize_hashtags(value)

    @model_validator(mode="after")
    def _fits_telegram(self) -> PostRewrite:
        length = published_length(self.caption, self.hashtags)
        if length > self.limit:
            raise ValueError(
                f"caption with its hashtags is {length} characters; {self.limit} is the most"
            )
        return self


class TextPostRewrite(PostRewrite):
    """The model's answer for a text post, which Telegram allows to be longer."""

    limit: ClassVar[int] = limit_for(TEXT_FORMAT)


def schema_for(post_format: str | None) -> type[PostRewrite]:
    return TextPostRewrite if limit_for(post_format) == TextPostRewrite.limit else PostRewrite


class PostRegenerator:
    def __init__(
        self,
        posts: PostService,
        personas: PersonaService,
        prompts: PromptRenderer,
        llm: StructuredLLM,
        tz: ZoneInfo,
    ) -> None:
        self._posts = posts
        self._personas = personas
        self._prompts = prompts
        self._llm = llm
        self._tz = tz

    async def regenerate(self, post_id: int, revision: int, user_id: int) -> Redone[PostView]:
        """Raises AlreadyDecided (the card is stale, or lost a race), InvalidTransition (the
        caption is final), NotFound, LLMError (budget and timeout included) or
        ValidationFailed; in every one of those cases the post is unchanged.

        The person turned the current caption down, so the model is always asked (never the
        cache), with that caption to move away from; the same caption again is not stored.
        """
        seen = await self._posts.editable_at(post_id, revision)
        variables = await self.variables(seen)
        key = item_key(ItemKind.POST, post_id)  # every rewrite of a post: the same arm
        request = self._prompts.render(TEMPLATE, variables, variant_key=key)
        result = await self._llm.generate(replace(request, fresh=True), schema_for(seen.format))
        rewrite = result.value
        if same_text(rewrite.caption, seen.caption):  # still refused if changed meanwhile
            return Redone(await self._posts.editable_at(post_id, revision), repeated=True)
        view = await self._posts.replace_text(
            seen, rewrite.caption, rewrite.hashtags, user_id, llm_call_id=result.call_id
        )
        return Redone(view)

    async def variables(self, post: PostView) -> dict[str, object]:
        return {
            "persona": await self._persona(post.persona_id),
            "title": post.title,
            "description": post.description or "",
            "pillar": post.content_pillar_name or "",
            "format": post.format or IMAGE_FORMAT,
            "scheduled_at": self._when(post),
            "timezone": self._tz.key,
            "caption": post.caption,
            "hashtags": list(post.hashtags),
            "max_length": limit_for(post.format),
        }

    async def _persona(self, persona_id: int | None) -> dict[str, Any] | None:
        if persona_id is None:
            return None
        try:
            return (await self._personas.get(persona_id)).prompt_context()
        except NotFound:
            return None

    def _when(self, post: PostView) -> str:
        if post.scheduled_at is None:
            return "not scheduled yet"
        return f"{post.scheduled_at.astimezone(self._tz):%Y-%m-%d %H:%M (%A)}"
