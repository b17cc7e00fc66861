"""one delivery per sequence email and recipient; unsubscribes, one link per address;
bounces on deliveries; automatic inbound mail (issue 13, sending)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXED = ("sequence_email_id", "sequence_id", "recipient", "message_id")


def _utc(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    _create_deliveries()
    op.create_table(
        "email_suppressions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        _utc("at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_suppressions")),
        sa.UniqueConstraint("address", name=op.f("uq_email_suppressions_address")),
    )
    op.create_table(
        "unsubscribe_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        _utc("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsubscribe_tokens")),
        sa.UniqueConstraint("address", name=op.f("uq_unsubscribe_tokens_address")),
        sa.UniqueConstraint("token", name=op.f("uq_unsubscribe_tokens_token")),
    )
    # Automatic mail (bounces, auto-replies, lists) is told apart from customers' mail.
    with op.batch_alter_table("inbound_emails") as batch:
        batch.add_column(sa.Column("automatic_kind", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("automatic_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_emails") as batch:
        batch.drop_column("automatic_reason")
        batch.drop_column("automatic_kind")
    op.drop_table("unsubscribe_tokens")
    op.drop_table("email_suppressions")
    op.drop_index("ix_email_deliveries_due", table_name="email_deliveries")
    for column in INDEXED:
        op.drop_index(op.f(f"ix_email_deliveries_{column}"), table_name="email_deliveries")
    op.drop_table("email_deliveries")


def _create_deliveries() -> None:
    op.create_table(
        "email_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sequence_email_id", sa.Integer(), nullable=False),
        sa.Column("sequence_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _utc("next_attempt_at", nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        _utc("lease_until", nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("smtp_code", sa.Integer(), nullable=True),
        _utc("created_at"),
        _utc("sent_at", nullable=True),
        _utc("finished_at", nullable=True),
        _utc("alerted_at", nullable=True),
        _utc("alert_until", nullable=True),
        sa.Column("bounce_status", sa.String(length=20), nullable=True),
        _utc("bounced_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["sequence_email_id"],
            ["sequence_emails.id"],
            name=op.f("fk_email_deliveries_sequence_email_id_sequence_emails"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sequence_id"],
            ["email_sequences.id"],
            name=op.f("fk_email_deliveries_sequence_id_email_sequences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_deliveries")),
        sa.UniqueConstraint(
            "sequence_email_id",
            "recipient",
            name=op.f("uq_email_deliveries_sequence_email_id_recipient"),
        ),
    )
    for column in INDEXED:
        op.create_index(op.f(f"ix_email_deliveries_{column}"), "email_deliveries", [column])
    op.create_index("ix_email_deliveries_due", "email_deliveries", ["status", "next_attempt_at"])
