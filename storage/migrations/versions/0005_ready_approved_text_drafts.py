"""approved text drafts become ready

Before approval moved a text post to ready, an approved text post stayed a draft with
nothing left to move it (text posts get no image). This moves those posts on, with a
transition row like any other move. Data only; the schema is unchanged.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 10:05:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from storage.base import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR = "migration:0005"

posts = sa.table(
    "posts",
    sa.column("id", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("format", sa.String()),
    sa.column("approved_at", UTCDateTime()),
    sa.column("updated_at", UTCDateTime()),
)
transitions = sa.table(
    "post_transitions",
    sa.column("post_id", sa.Integer()),
    sa.column("from_status", sa.String()),
    sa.column("to_status", sa.String()),
    sa.column("actor", sa.String()),
    sa.column("at", UTCDateTime()),
)


def upgrade() -> None:
    bind = op.get_bind()
    stuck = sa.select(posts.c.id).where(
        posts.c.format == "text", posts.c.status == "draft", posts.c.approved_at.is_not(None)
    )
    ids = list(bind.execute(stuck).scalars())
    if not ids:
        return
    now = datetime.now(UTC)
    rows = [
        {"post_id": i, "from_status": "draft", "to_status": "ready", "actor": ACTOR, "at": now}
        for i in ids
    ]
    bind.execute(transitions.insert(), rows)
    bind.execute(posts.update().where(posts.c.id.in_(ids)).values(status="ready", updated_at=now))


def downgrade() -> None:
    # Ready is where such a post belongs under either revision's code; nothing to undo.
    pass
