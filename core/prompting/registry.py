"""The prompt registry: every template in prompts/, versioned in the database, rendered on demand.

Lifecycle: `registry = await PromptRegistry.load(path)` at start-up, then
`await registry.sync(session_factory)` once, then `registry.render(...)` as often as needed.

Rendering before `sync` is allowed and reports version 0 ("not synced"): tests and scripts
can render without a database, while the bot syncs at start-up so every logged call carries
a real version that `storage.repos.prompts.get_version` can turn back into text.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import TemplateError
from core.llm.types import LLMRequest, PromptRef
from core.prompting.template import PromptTemplate
from storage.repos import prompts as prompt_repo

UNSYNCED_VERSION = 0


class PromptRegistry:
    def __init__(
        self, templates: Mapping[str, PromptTemplate], *, rng: random.Random | None = None
    ) -> None:
        self._templates = dict(templates)
        self._versions = dict.fromkeys(self._templates, UNSYNCED_VERSION)
        # Only used for requests without a variant_key; not security relevant.
        self._rng = rng if rng is not None else random.Random()  # noqa: S311

    @classmethod
    async def load(cls, path: Path | str, *, rng: random.Random | None = None) -> PromptRegistry:
        """Read and validate every `*.yaml` in `path`; one bad file fails the whole load."""
        templates = await asyncio.to_thread(_read_directory, Path(path))
        return cls(templates, rng=rng)

    def names(self) -> list[str]:
        return sorted(self._templates)

    def get(self, name: str) -> PromptTemplate:
        try:
            return self._templates[name]
        except KeyError:
            raise TemplateError(f"No prompt template named '{name}'") from None

    def version(self, name: str) -> int:
        """The stored version of the loaded text; 0 until `sync` has run."""
        self.get(name)
        return self._versions[name]

    async def sync(self, session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
        """Store each template's content (a new version only if it changed); name → version."""
        for name, template in sorted(self._templates.items()):
            self._versions[name] = await prompt_repo.ensure_version(
                session_factory,
                name=name,
                content_hash=template.content_hash,
                body=template.body,
            )
        return dict(self._versions)

    def render(
        self,
        name: str,
        variables: Mapping[str, object],
        *,
        variant_key: str | None = None,
    ) -> LLMRequest:
        """Render a template into a request; `variant_key` (e.g. a user id) pins the A/B arm."""
        template = self.get(name)
        variant = template.choose_variant(variant_key, self._rng)
        rendered = template.render(variables, variant)
        return LLMRequest(
            messages=rendered.messages,
            prompt=PromptRef(name=name, version=self._versions[name], variant=rendered.variant),
            temperature=rendered.params.temperature,
            max_tokens=rendered.params.max_tokens,
        )


def _read_directory(directory: Path) -> dict[str, PromptTemplate]:
    if not directory.is_dir():
        raise TemplateError(f"Prompt directory {directory} does not exist")
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise TemplateError(f"No prompt templates (*.yaml) in {directory}")
    templates = {}
    for file in files:
        text = file.read_text(encoding="utf-8")
        templates[file.stem] = PromptTemplate.parse(str(file), text, expected_name=file.stem)
    return templates
