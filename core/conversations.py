"""Where each admin is in a multi-step conversation, kept in the database.

A restart in the middle of a conversation (say, between "Edit" and the new text)
resumes it, and several replicas see the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.repos import conversation as repo


@dataclass(frozen=True)
class Conversation:
    state: str
    data: dict[str, Any] = field(default_factory=dict)


class ConversationStore:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def get(self, chat_id: int, user_id: int) -> Conversation | None:
        async with self._sessions() as session:
            row = await repo.load(session, chat_id, user_id)
            return None if row is None else Conversation(row.state, dict(row.data))

    async def set(self, chat_id: int, user_id: int, conversation: Conversation) -> None:
        async with self._sessions.begin() as session:
            await repo.save(session, chat_id, user_id, conversation.state, conversation.data)

    async def clear(self, chat_id: int, user_id: int) -> bool:
        async with self._sessions.begin() as session:
            return await repo.clear(session, chat_id, user_id)
