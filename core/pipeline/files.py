"""Candidate images on disk under `<data_dir>/images`, written and read off the event loop.

A file is written to a temporary name and renamed into place, so a crash never leaves a
half-written image under a name the database points at.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

IMAGES_DIR = "images"
_MAGIC = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF8", ".gif"))


@dataclass(frozen=True)
class StoredImage:
    path: str
    """Relative to the data directory, with forward slashes (portable across machines)."""
    sha256: str
    size_bytes: int


class ImageStore:
    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    async def save(self, run_id: int, position: int, data: bytes) -> StoredImage:
        relative = PurePosixPath(IMAGES_DIR, f"run-{run_id}", f"{position}{_suffix(data)}")
        await asyncio.to_thread(_write_atomically, self._data_dir / relative, data)
        return StoredImage(str(relative), hashlib.sha256(data).hexdigest(), len(data))

    async def read(self, path: Path) -> bytes:
        return await asyncio.to_thread(path.read_bytes)


def _suffix(data: bytes) -> str:
    for magic, suffix in _MAGIC:
        if data.startswith(magic):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return ".bin"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
