"""The image candidates of queued posts, and their bytes for the Mini App."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.review_queue.types import QueueImage
from storage.repos import queue_images as repo

_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
)


class QueueImages:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], data_dir: Path) -> None:
        self._sessions = sessions
        self._data_dir = data_dir

    async def of_posts(self, post_ids: Collection[int]) -> dict[int, tuple[QueueImage, ...]]:
        async with self._sessions() as session:
            rows = await repo.of_posts(session, post_ids)
        found: dict[int, list[QueueImage]] = {}
        for post_id, image in rows:
            found.setdefault(post_id, []).append(QueueImage(image.id, post_id, image.picked))
        return {post_id: tuple(images) for post_id, images in found.items()}

    async def read(self, image_id: int) -> tuple[bytes, str] | None:
        """The image's bytes and content type; None when it or its file is gone."""
        async with self._sessions() as session:
            row = await repo.get(session, image_id)
        if row is None:
            return None
        path = (self._data_dir / row.path).resolve()
        if not path.is_relative_to(self._data_dir.resolve()):
            return None  # a stored path never leaves the data directory; refuse if it does
        try:
            data = await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None
        return data, content_type(data)


def content_type(data: bytes) -> str:
    for magic, kind in _TYPES:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"
