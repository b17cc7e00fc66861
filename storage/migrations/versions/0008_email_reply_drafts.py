"""reply drafts for customer emails and their sends (issue 13, replies)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "reply_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("response_type", sa.String(length=20), nullable=True),
        sa.Column("tone", sa.String(length=20), nullable=True),
        sa.Column("requested_tone", sa.String(length=20), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("draft", sa.Text(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("suggested_actions", JSON, nullable=False),
        sa.Column("facts", JSON, nullable=False),
        sa.Column("warnings", JSON, nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("template", sa.String(length=100), nullable=True),
        sa.Column("template_version", sa.Integer(), nullable=True),
        sa.Column("llm_call_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sent_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["email_id"], ["inbound_emails.id"],
            name=op.f("fk_reply_drafts_email_id_inbound_emails"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["llm_call_id"], ["llm_calls.id"],
            name=op.f("fk_reply_drafts_llm_call_id_llm_calls"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_drafts")),
        sa.UniqueConstraint("email_id", name=op.f("uq_reply_drafts_email_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_reply_drafts_status"), "reply_drafts", ["status"])
    op.create_index(op.f("ix_reply_drafts_next_attempt_at"), "reply_drafts", ["next_attempt_at"])
    op.create_table(
        "reply_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reply_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["reply_drafts.id"],
            name=op.f("fk_reply_cards_reply_id_reply_drafts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_cards")),
        sa.UniqueConstraint("reply_id", "chat_id", name=op.f("uq_reply_cards_reply_id_chat_id")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("reply_cards")
    op.drop_index(op.f("ix_reply_drafts_next_attempt_at"), table_name="reply_drafts")
    op.drop_index(op.f("ix_reply_drafts_status"), table_name="reply_drafts")
    op.drop_table("reply_drafts")
