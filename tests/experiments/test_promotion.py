"""⭐ Promote: a new stored version that every registry renders until the file changes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import AlreadyDecided, InvalidTransition, NotFound
from core.experiments.service import PromptExperiments
from core.prompting.registry import PromptRegistry
from core.prompting.template import PromptTemplate
from storage.repos import prompts as prompt_repo
from tests.experiments.support import decided_items, decisions

Sessions = async_sessionmaker[AsyncSession]
ADMIN = 7

DEMO = """\
name: demo
description: A greeting
variables:
  who: {description: whom to greet}
params: {temperature: 0.2}
system: Be brief.
user: Say hello to {{ who }}.
variants:
  - {name: base, weight: 60}
  - name: warm
    weight: 40
    params: {temperature: 0.8}
    user: |
      Say a warm hello to {{ who }}.
      Mention the weather.
"""
# Its variant drops the only use of `who` from the user text (kept in the system text).
LOSES_A_VARIABLE = """\
name: other
description: Another
variables:
  who: {description: whom}
system: Write to {{ who }}.
user: Go.
variants:
  - {name: base, weight: 50}
  - {name: terse, weight: 50, system: Write.}
"""
SINGLE = "name: single\ndescription: One arm\nsystem: s\nuser: u\n"


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 12, 7, 4, 0, tzinfo=UTC)


@pytest.fixture
def prompts_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "prompts"
    folder.mkdir()
    (folder / "demo.yaml").write_text(DEMO)
    (folder / "other.yaml").write_text(LOSES_A_VARIABLE)
    (folder / "single.yaml").write_text(SINGLE)
    return folder


async def replica(prompts_dir: Path, session_factory: Sessions) -> PromptRegistry:
    """A process starting up: load the files, sync them (and the promotions)."""
    registry = await PromptRegistry.load(prompts_dir)
    await registry.sync(session_factory)
    return registry


def variant_of(registry: PromptRegistry, key: str = "demo-item") -> tuple[str, int]:
    request = registry.render("demo", {"who": "Ann"}, variant_key=key)
    assert request.prompt is not None
    return request.prompt.variant, request.prompt.version


async def test_promoted_variant_is_rendered_here_after_a_restart_and_on_other_replicas(
    prompts_dir: Path, session_factory: Sessions
) -> None:
    here = await replica(prompts_dir, session_factory)
    elsewhere = await replica(prompts_dir, session_factory)
    experiments = PromptExperiments(session_factory, here, FixedClock())

    promotion = await experiments.promote("demo", 1, "warm", ADMIN)

    assert promotion.version == 2
    keys = [f"suggestion:{n}" for n in range(50)]
    assert {variant_of(here, key) for key in keys} == {("warm", 2)}
    request = here.render("demo", {"who": "Ann"}, variant_key="x")
    assert request.temperature == 0.8  # the variant's params are the base now
    assert "warm hello to Ann" in request.messages[1].content
    assert variant_of(elsewhere)[1] == 1  # until it refreshes (every minute in the bot)
    await elsewhere.refresh(session_factory)
    assert variant_of(elsewhere) == ("warm", 2)
    restarted = await replica(prompts_dir, session_factory)
    assert variant_of(restarted) == ("warm", 2)
    stored = await prompt_repo.get_version(session_factory, "demo", 2)
    assert stored is not None and stored.body["variants"] == [
        {"name": "warm", "weight": 100, "system": None, "user": None, "params": None}
    ]


async def test_a_changed_file_ends_the_promotion(
    prompts_dir: Path, session_factory: Sessions
) -> None:
    registry = await replica(prompts_dir, session_factory)
    await PromptExperiments(session_factory, registry, FixedClock()).promote(
        "demo", 1, "warm", ADMIN
    )
    (prompts_dir / "demo.yaml").write_text(DEMO.replace("Be brief.", "Be very brief."))

    redeployed = await replica(prompts_dir, session_factory)

    assert not redeployed.is_promoted("demo")
    assert redeployed.version("demo") == 3  # the new file's own version
    arms = {variant_of(redeployed, f"k{n}")[0] for n in range(100)}
    assert arms == {"base", "warm"}  # the file's traffic split again


async def test_the_yaml_sent_to_commit_is_the_promoted_version(
    prompts_dir: Path, session_factory: Sessions
) -> None:
    registry = await replica(prompts_dir, session_factory)
    experiments = PromptExperiments(session_factory, registry, FixedClock())
    promotion = await experiments.promote("demo", 1, "warm", ADMIN)

    committed = PromptTemplate.parse("demo.yaml", promotion.yaml_text, expected_name="demo")

    assert committed.content_hash == registry.get("demo").content_hash
    assert "  Say a warm hello to {{ who }}.\n  Mention the weather.\n" in promotion.yaml_text
    (prompts_dir / "demo.yaml").write_text(promotion.yaml_text)
    after_commit = await replica(prompts_dir, session_factory)
    assert variant_of(after_commit) == ("warm", 2)  # the same text keeps its version


async def test_a_variant_that_leaves_a_variable_unused_keeps_every_arm_at_zero(
    prompts_dir: Path, session_factory: Sessions
) -> None:
    registry = await replica(prompts_dir, session_factory)
    experiments = PromptExperiments(session_factory, registry, FixedClock())
    await experiments.promote("other", 1, "terse", ADMIN)
    promoted = registry.get("other")
    assert [(arm.name, arm.weight) for arm in promoted.variants] == [("base", 0), ("terse", 100)]
    request = registry.render("other", {"who": "Ann"}, variant_key="any")
    assert request.prompt is not None and request.prompt.variant == "terse"


async def test_refusals_leave_everything_as_it_was(
    prompts_dir: Path, session_factory: Sessions
) -> None:
    registry = await replica(prompts_dir, session_factory)
    experiments = PromptExperiments(session_factory, registry, FixedClock())
    with pytest.raises(AlreadyDecided, match="version 1 now"):
        await experiments.promote("demo", 5, "warm", ADMIN)  # a card from another version
    with pytest.raises(NotFound, match="no variant 'cold'"):
        await experiments.promote("demo", 1, "cold", ADMIN)
    with pytest.raises(InvalidTransition, match="one variant only"):
        await experiments.promote("single", 1, "base", ADMIN)
    with pytest.raises(NotFound, match="no prompt template 'nope'"):
        await experiments.promote("nope", 1, "base", ADMIN)
    await experiments.promote("demo", 1, "warm", ADMIN)
    with pytest.raises(AlreadyDecided):  # the second tap of a double tap
        await experiments.promote("demo", 1, "warm", ADMIN)
    assert [v.version for v in await prompt_repo.list_versions(session_factory, "demo")] == [1, 2]


async def test_the_report_lists_versions_newest_first_with_their_arms(
    prompts_dir: Path, session_factory: Sessions
) -> None:
    registry = await replica(prompts_dir, session_factory)
    experiments = PromptExperiments(session_factory, registry, FixedClock())
    at = FixedClock().now()
    async with session_factory.begin() as session:
        await decided_items(session, template="demo", version=1, variant="warm",
                            decisions=decisions(approved=3, rejected=1), at=at)  # fmt: skip
    before = await experiments.template("demo")
    assert before.promotable == ("base", "warm")
    assert [(v.name, v.weight, v.counts.accepted) for v in before.versions[0].variants] == [
        ("base", 60, 0),
        ("warm", 40, 3),
    ]
    await experiments.promote("demo", 1, "warm", ADMIN)
    after = await experiments.template("demo")
    assert (after.version, after.promoted_variant, after.promotable) == (2, "warm", ())
    assert [(v.version, v.current) for v in after.versions] == [(2, True), (1, False)]
    old_warm = after.versions[1].variants[0]
    assert (old_warm.name, old_warm.weight, old_warm.counts.accepted) == ("warm", None, 3)
    assert after.totals.decided == 4
