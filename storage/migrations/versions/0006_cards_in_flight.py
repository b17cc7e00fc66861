"""cards in flight: the cards showing "Writing…", so a restart can restore them

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 21:37:07.470128
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cards_in_flight",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("started_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cards_in_flight")),
        sa.UniqueConstraint("kind", "item_id", name=op.f("uq_cards_in_flight_kind_item_id")),
    )


def downgrade() -> None:
    op.drop_table("cards_in_flight")
