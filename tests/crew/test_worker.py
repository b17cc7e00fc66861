"""The crew's worker in the running bot: requests run at once, a stop hands runs back and
the next start finishes them; with CREW_ENABLED=false nothing is queued or run."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.crew_jobs import CREW_JOB
from bot.settings import Settings
from core.crew.types import Draft
from domain.crew import ItemKind, ReviewStatus, StepName, StepState
from tests.doubles.crew_llm import CrewLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import make_settings, running
from tests.pipeline.support import wait_until

POST = Draft(
    kind=ItemKind.POST,
    item_id=4,
    text="Our merino socks are back in stock. Come by this week and try them on!",
    hashtags=["#merino", "#socks"],
)


def crew_settings(
    api: TelegramApiDouble, server: CrewLLMServer, data_dir: Path, *, enabled: bool = True
) -> Settings:
    settings = make_settings(api, None, data_dir, crew_enabled=enabled)
    llm = settings.llm.model_copy(update={"model": "openai/test-model", "api_base": server.url})
    return replace(settings, llm=llm)


async def test_the_running_bot_reviews_a_request_at_once(
    telegram_api: TelegramApiDouble, crew_server: CrewLLMServer, tmp_path: Path
) -> None:
    async with running(telegram_api, None, crew_settings(telegram_api, crew_server, tmp_path)) as h:
        assert h.bot.scheduler.get_job(CREW_JOB) is not None
        crew = h.bot.services.crew
        review = await crew.request(POST)
        assert review is not None
        done = await crew.wait(review.id, timeout_s=30, poll_s=0.05)
        assert done is not None and done.status is ReviewStatus.DONE
        assert done.report is not None and done.report.scores.compliance == 95


async def test_a_stop_hands_the_run_back_and_the_next_start_finishes_it(
    telegram_api: TelegramApiDouble, crew_server: CrewLLMServer, tmp_path: Path
) -> None:
    crew_server.hang_s[StepName.DESIGN] = 60
    settings = crew_settings(telegram_api, crew_server, tmp_path)
    async with running(telegram_api, None, settings) as h:
        crew = h.bot.services.crew
        review = await crew.request(POST)
        assert review is not None

        async def design_asked() -> bool:
            return any(call.get("messages") and "design advisor" in str(call["messages"][0])
                       for call in crew_server.requests)  # fmt: skip

        await wait_until(design_asked, within=30)
    stopped = await crew.get(review.id)
    assert stopped is not None and stopped.status is ReviewStatus.RUNNING
    assert {s.step: s.state for s in stopped.steps}[StepName.DESIGN] is StepState.RUNNING
    crew_server.hang_s.clear()
    async with running(telegram_api, None, settings) as h:
        done = await h.bot.services.crew.wait(review.id, timeout_s=30, poll_s=0.05)
        assert done is not None and done.status is ReviewStatus.DONE


async def test_with_the_crew_off_nothing_is_queued_or_scheduled(
    telegram_api: TelegramApiDouble, crew_server: CrewLLMServer, tmp_path: Path
) -> None:
    settings = crew_settings(telegram_api, crew_server, tmp_path, enabled=False)
    async with running(telegram_api, None, settings) as h:
        assert h.bot.scheduler.get_job(CREW_JOB) is None
        assert await h.bot.services.crew.request(POST) is None
    assert crew_server.requests == []
