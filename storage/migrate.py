"""Apply Alembic migrations from code: at start-up, in tests, and from the command line.

python -m storage.migrate upgrade head
python -m storage.migrate downgrade base
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(_downgrade, revision)


def main(argv: list[str]) -> int:
    import asyncio
    import os

    from storage.db import make_engine

    if len(argv) != 2 or argv[0] not in {"upgrade", "downgrade"}:
        print("usage: python -m storage.migrate upgrade|downgrade REVISION", file=sys.stderr)
        return 2
    engine = make_engine(os.environ.get("DATABASE_URL", "sqlite+aiosqlite:///./data/copilot.db"))
    action = upgrade if argv[0] == "upgrade" else downgrade

    async def run() -> None:
        try:
            await action(engine, argv[1])
        finally:
            await engine.dispose()

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
