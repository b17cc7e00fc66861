"""A CallbackContext that knows where the services live (PTB's contexttypesbot pattern)."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from handlers.common.services import HandlerServices


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def services(self) -> HandlerServices:
        services: HandlerServices = self.application.bot_data["services"]
        return services


CONTEXT_TYPES = ContextTypes(context=BotContext)

BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
