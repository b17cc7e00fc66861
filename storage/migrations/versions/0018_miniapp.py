"""Mini App: review cards shown in chats (issue 17)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every review card shown in a chat: a decision made in the Mini App (or on another
    # admin's card) finds the cards of its item here and redraws them.
    op.create_table(
        "review_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("shown_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_cards")),
        sa.UniqueConstraint(
            "chat_id", "message_id", name=op.f("uq_review_cards_chat_id_message_id")
        ),
    )
    op.create_index("ix_review_cards_kind_item_id", "review_cards", ["kind", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_review_cards_kind_item_id", table_name="review_cards")
    op.drop_table("review_cards")
