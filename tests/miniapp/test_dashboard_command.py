"""/dashboard answers with a web_app button to PUBLIC_BASE_URL/app/, or says what to set;
at start-up each admin's menu button opens the dashboard when that address is https."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import AnyHttpUrl

from handlers.dashboard.command import PRIVATE_ONLY
from handlers.dashboard.links import NOT_HTTPS, UNSET
from tests.doubles.llm_server import FakeLLMServer
from tests.doubles.telegram_api import TelegramApiDouble
from tests.e2e.harness import ADMIN, OTHER_ADMIN, make_settings, running
from tests.miniapp.conftest import AppClient


async def test_dashboard_sends_a_web_app_button(app: AppClient) -> None:
    app.harness.send("/dashboard")
    call = await app.harness.said("The dashboard")
    markup = call.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    (button,) = markup["inline_keyboard"][0]
    assert button["web_app"] == {"url": "https://bot.example.com/app/"}


async def test_in_a_group_it_points_to_the_private_chat(app: AppClient) -> None:
    app.harness.send("/dashboard", chat_id=-100123)
    call = await app.harness.said("private chat")
    assert call.params["text"] == PRIVATE_ONLY and "reply_markup" not in call.params


async def test_admins_get_the_menu_button_and_the_command_is_listed(app: AppClient) -> None:
    api = app.harness.api
    calls = [c for c in api.calls if c.method == "setChatMenuButton"]
    assert sorted(int(c.params["chat_id"]) for c in calls) == [ADMIN, OTHER_ADMIN]
    for call in calls:
        menu = call.params["menu_button"]
        menu = json.loads(menu) if isinstance(menu, str) else menu
        assert menu == {
            "type": "web_app", "text": "Dashboard",
            "web_app": {"url": "https://bot.example.com/app/"},
        }  # fmt: skip
    (commands,) = [c for c in api.calls if c.method == "setMyCommands"]
    listed = commands.params["commands"]
    listed = json.loads(listed) if isinstance(listed, str) else listed
    assert "dashboard" in [command["command"] for command in listed]


@pytest.mark.parametrize(
    ("base", "says"),
    [(None, UNSET), ("http://bot.example.com", NOT_HTTPS.format(url="http://bot.example.com/"))],
)
async def test_without_an_https_address_it_says_what_to_set(
    telegram_api: TelegramApiDouble,
    llm_server: FakeLLMServer,
    tmp_path: Path,
    base: str | None,
    says: str,
) -> None:
    settings = make_settings(telegram_api, llm_server, tmp_path)
    url = AnyHttpUrl(base) if base else None
    settings = replace(settings, app=settings.app.model_copy(update={"public_base_url": url}))
    async with running(telegram_api, llm_server, settings) as harness:
        harness.send("/dashboard")
        call = await harness.said("PUBLIC_BASE_URL")
        assert call.params["text"] == says
        assert "reply_markup" not in call.params
        assert not [c for c in telegram_api.calls if c.method == "setChatMenuButton"]
