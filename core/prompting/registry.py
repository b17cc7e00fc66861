"""The prompt registry: every template in prompts/, versioned in the database, rendered on demand.

Lifecycle: `registry = await PromptRegistry.load(path)` at start-up, then
`await registry.sync(session_factory)` once, then `registry.render(...)` as often as needed.

Rendering before `sync` is allowed and reports version 0 ("not synced"): tests and scripts
can render without a database, while the bot syncs at start-up so every logged call carries
a real version that `storage.repos.prompts.get_version` can turn back into text.

A promoted variant (/prompts → Promote) is a stored version rendered instead of the file,
for as long as the file on disk has the content it was promoted from: `sync` applies
promotions at start-up and `refresh` (run periodically, and right after a promotion) lets
every replica pick a new one up. Editing the file ends the promotion by itself.
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
from storage.repos import outcomes as outcome_repo
from storage.repos import prompts as prompt_repo

UNSYNCED_VERSION = 0


class PromptRegistry:
    def __init__(
        self, templates: Mapping[str, PromptTemplate], *, rng: random.Random | None = None
    ) -> None:
        # What is on disk, and what is rendered: the same unless a variant was promoted.
        self._files = dict(templates)
        self._templates = dict(templates)
        self._file_versions = dict.fromkeys(self._files, UNSYNCED_VERSION)
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

    def file_template(self, name: str) -> PromptTemplate:
        """The template as read from prompts/<name>.yaml, promoted or not."""
        self.get(name)
        return self._files[name]

    def version(self, name: str) -> int:
        """The stored version of the text rendered now; 0 until `sync` has run."""
        self.get(name)
        return self._versions[name]

    def is_promoted(self, name: str) -> bool:
        return self.get(name) is not self._files[name]

    async def sync(self, session_factory: async_sessionmaker[AsyncSession]) -> dict[str, int]:
        """Store each template's content (a new version only if it changed); name → version.

        Then applies the promotions still valid for these files (see `refresh`).
        """
        for name, template in sorted(self._files.items()):
            self._file_versions[name] = await prompt_repo.ensure_version(
                session_factory,
                name=name,
                content_hash=template.content_hash,
                body=template.body,
            )
        self._versions.update(self._file_versions)
        await self.refresh(session_factory)
        return dict(self._versions)

    async def refresh(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        """Render each template's latest promotion if it was made from today's file, else the
        file. Cheap (one query, plus one per newly promoted version); safe to run often."""
        async with session_factory() as session:
            promotions = await outcome_repo.latest_promotions(session)
        for name, file in self._files.items():
            promotion = promotions.get(name)
            if promotion is None or promotion.source_hash != file.content_hash:
                self._templates[name] = file
                self._versions[name] = self._file_versions[name]
            elif self._versions[name] != promotion.version or not self.is_promoted(name):
                await self._apply(session_factory, name, promotion.version)

    async def _apply(
        self, session_factory: async_sessionmaker[AsyncSession], name: str, version: int
    ) -> None:
        stored = await prompt_repo.get_version(session_factory, name, version)
        if stored is None:  # a promotion always points at a stored version; keep the file
            return
        self._templates[name] = PromptTemplate.from_body(f"{name} v{version}", stored.body)
        self._versions[name] = version

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
