"""The one text router: each feature's declared states, and no state claimed twice."""

from __future__ import annotations

import pytest
from telegram.ext import ApplicationBuilder

from bot.app import register_handlers
from core.conversations import Conversation
from handlers.common import text_router
from handlers.common.context import CONTEXT_TYPES, BotApplication


def _application() -> BotApplication:
    app: BotApplication = (
        ApplicationBuilder().token("1:test").context_types(CONTEXT_TYPES).updater(None).build()
    )
    return app


def test_every_feature_declares_the_text_it_waits_for() -> None:
    app = _application()
    register_handlers(app)
    routes = text_router.routes_of(app.bot_data)
    assert set(routes.exact) == {
        "editing_suggestion", "editing_image_prompt", "publishing:time", "reply:edit",
        "report:period", "flow:edit",
    }  # fmt: skip
    assert set(routes.prefixes) == {
        "campaign:", "persona:", "post:", "sequence:", "email:", "orders:", "brand:", "write:",
    }  # fmt: skip
    assert routes.find("email:sender") is routes.prefixes["email:"]
    assert routes.find("campaign:goal") is routes.prefixes["campaign:"]
    assert routes.find("persona:edit:voice") is routes.prefixes["persona:"]
    assert routes.find("publishing:time") is routes.exact["publishing:time"]
    assert routes.find("someone_elses_state") is None


async def _reply(*_: object) -> None:
    return None


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (lambda app: text_router.wait_for(app, "email:to", _reply),
         lambda app: text_router.wait_for(app, "email:to", _reply)),
        (lambda app: text_router.wait_for_prefix(app, "email:", _reply),
         lambda app: text_router.wait_for(app, "email:", _reply)),
    ],
)  # fmt: skip
def test_two_features_waiting_for_one_state_is_an_error(first: object, second: object) -> None:
    app = _application()
    first(app)  # type: ignore[operator]
    with pytest.raises(ValueError, match="two features wait for text in 'email:"):
        second(app)  # type: ignore[operator]


def test_a_state_is_matched_exactly_before_by_prefix() -> None:
    routes = text_router.TextRoutes()

    async def exact(*_: object) -> None: ...

    routes.add(routes.prefixes, "post:", _reply)
    routes.add(routes.exact, "post:edit", exact)
    assert routes.find(Conversation("post:edit", {}).state) is exact
    assert routes.find("post:other") is _reply
