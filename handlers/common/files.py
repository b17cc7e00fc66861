"""A sent document fetched once its name and size pass a feature's rules.

Persona import, /sequence's recipients, /email's .eml files and /orders each take files
and check the same two things: the suffix, and the size both as Telegram declares it and
as downloaded (the declared size is optional, so what arrived is checked too). Each
feature keeps its own words; the checks live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import PurePath

from telegram import Document

from handlers.common.context import BotContext

MIB = 1024 * 1024


class FileRefused(Exception):
    """The file was not read; the message says why to the person (HTML)."""


@dataclass(frozen=True)
class FileRule:
    """What a feature accepts, and what it says otherwise.

    `wrong_type` may use {name}; `too_big` may use {name}, {kib}, {mb} (the file's size)
    and {limit_kib}, {limit_mb}. Names are escaped and cut to 100 characters.
    """

    suffixes: tuple[str, ...]
    max_bytes: int
    wrong_type: str
    too_big: str

    def check(self, document: Document) -> None:
        """Refuse on what Telegram tells of the file, before downloading it."""
        name = document.file_name or ""
        if PurePath(name).suffix.lower() not in self.suffixes:
            raise FileRefused(self.wrong_type.format(name=_shown(name or "This file")))
        self.check_size(document, document.file_size)

    def check_size(self, document: Document, size: int | None) -> None:
        if size is None or size <= self.max_bytes:
            return
        raise FileRefused(
            self.too_big.format(
                name=_shown(document.file_name or "The file"),
                kib=size // 1024,
                mb=size / MIB,
                limit_kib=self.max_bytes // 1024,
                limit_mb=self.max_bytes // MIB,
            )
        )


async def download(context: BotContext, document: Document, rule: FileRule) -> bytes:
    """The file's bytes, or FileRefused when its type or size is not what `rule` takes."""
    rule.check(document)
    telegram_file = await context.bot.get_file(document.file_id)
    data = bytes(await telegram_file.download_as_bytearray())
    rule.check_size(document, len(data))
    return data


def _shown(name: str) -> str:
    return escape(name[:100])
