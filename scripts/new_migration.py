"""Autogenerate the next Alembic migration: python scripts/new_migration.py "message"

It compares the models with a scratch SQLite database migrated to head. Read the result
before committing: autogenerate misses renames and server defaults.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage import migrate
from storage.db import make_engine


def _next_id() -> str:
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    return f"{max((int(h) for h in heads), default=0) + 1:04d}"


async def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite+aiosqlite:///{scratch}/scratch.db")
        await migrate.upgrade(engine)
        rev_id = _next_id()

        def generate(conn: Connection) -> None:
            config = migrate.alembic_config()
            config.attributes["connection"] = conn
            command.revision(config, message=message, autogenerate=True, rev_id=rev_id)

        async with engine.begin() as conn:
            await conn.run_sync(generate)
        await engine.dispose()
    for path in migrate.MIGRATIONS_DIR.glob(f"versions/{rev_id}_*.py"):
        # JSONB renders with a Text() it never imports.
        text = re.sub(r"JSONB\(astext_type=Text\(\)\)", "JSONB()", path.read_text())
        path.write_text(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    asyncio.run(main(" ".join(sys.argv[1:]) or "change"))
