"""Conversation state per (chat, user): an upsert, a read and a delete."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConversationState


async def load(session: AsyncSession, chat_id: int, user_id: int) -> ConversationState | None:
    return await session.get(ConversationState, (chat_id, user_id))


async def save(
    session: AsyncSession, chat_id: int, user_id: int, state: str, data: dict[str, Any]
) -> None:
    row = await session.get(ConversationState, (chat_id, user_id))
    if row is None:
        session.add(ConversationState(chat_id=chat_id, user_id=user_id, state=state, data=data))
    else:
        row.state, row.data = state, data


async def clear(session: AsyncSession, chat_id: int, user_id: int) -> bool:
    result = await session.execute(
        delete(ConversationState).where(
            ConversationState.chat_id == chat_id, ConversationState.user_id == user_id
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
