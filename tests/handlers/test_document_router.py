"""The one document router: a conversation's files first, then by suffix, then the fallback."""

from __future__ import annotations

import pytest
from telegram.ext import ApplicationBuilder

from bot.app import register_handlers
from handlers.common import document_router
from handlers.common.context import CONTEXT_TYPES, BotApplication
from handlers.persona import upload


def _application() -> BotApplication:
    app: BotApplication = (
        ApplicationBuilder().token("1:test").context_types(CONTEXT_TYPES).updater(None).build()
    )
    return app


async def _in_state(*_: object) -> None:
    return None


async def _by_name(*_: object) -> None:
    return None


def test_persona_files_are_the_fallback() -> None:
    app = _application()
    register_handlers(app)
    routes = document_router.routes_of(app.bot_data)
    assert routes.fallback is upload.on_document
    assert routes.by_name("persona.yaml") is upload.on_document


def test_a_state_is_matched_by_prefix_and_a_name_by_suffix() -> None:
    app = _application()
    document_router.wait_for_document(app, "sequence:", _in_state)
    document_router.by_suffix(app, (".EML",), _by_name)
    routes = document_router.routes_of(app.bot_data)
    assert routes.by_state("sequence:recipients") is _in_state
    assert routes.by_state("campaign:goal") is None
    assert routes.by_name("Message.eml") is _by_name
    assert routes.by_name("list.csv") is None  # no fallback here


def test_two_features_claiming_the_same_files_is_an_error() -> None:
    app = _application()
    document_router.wait_for_document(app, "sequence:", _in_state)
    with pytest.raises(ValueError, match="two features wait for files in 'sequence:'"):
        document_router.wait_for_document(app, "sequence:", _in_state)
    document_router.by_suffix(app, (".eml",), _by_name)
    with pytest.raises(ValueError, match=r"two features take '\.eml' files"):
        document_router.by_suffix(app, (".eml",), _by_name)
    document_router.otherwise(app, _by_name)
    with pytest.raises(ValueError, match="two features claim"):
        document_router.otherwise(app, _by_name)
