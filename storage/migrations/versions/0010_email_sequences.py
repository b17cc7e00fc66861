"""email sequences, their recipients and emails (issue 13, sequences)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _utc(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    _create_sequences()
    _create_recipients()
    _create_emails()


def downgrade() -> None:
    for table, columns in (
        ("sequence_emails", ("status", "due_at", "sequence_id")),
        ("sequence_recipients", ("sequence_id",)),
        ("email_sequences", ("status", "created_at")),
    ):
        for column in columns:
            op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
        op.drop_table(table)


def _create_sequences() -> None:
    op.create_table(
        "email_sequences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("schedule_type", sa.String(length=10), nullable=False),
        sa.Column("weekly_emails", sa.Integer(), nullable=True),
        sa.Column("weekly_days", JSON, nullable=False),
        sa.Column("total_months", sa.Integer(), nullable=False),
        sa.Column("ai_agent_id", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=False),
        sa.Column("send_time", sa.Time(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        _utc("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_sequences")),
    )
    op.create_index(op.f("ix_email_sequences_status"), "email_sequences", ["status"])
    op.create_index(op.f("ix_email_sequences_created_at"), "email_sequences", ["created_at"])


def _create_recipients() -> None:
    op.create_table(
        "sequence_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sequence_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("consent_source", sa.String(length=200), nullable=False),
        _utc("consent_at"),
        _utc("added_at"),
        sa.ForeignKeyConstraint(
            ["sequence_id"],
            ["email_sequences.id"],
            name=op.f("fk_sequence_recipients_sequence_id_email_sequences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sequence_recipients")),
        sa.UniqueConstraint(
            "sequence_id", "email", name=op.f("uq_sequence_recipients_sequence_id_email")
        ),
    )
    op.create_index(
        op.f("ix_sequence_recipients_sequence_id"), "sequence_recipients", ["sequence_id"]
    )


def _create_emails() -> None:
    op.create_table(
        "sequence_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sequence_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        _utc("due_at"),
        sa.Column("structure", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=True),
        sa.Column("body_text", sa.Text(), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("key_points", JSON, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        _utc("writing_since", nullable=True),
        sa.Column("write_attempts", sa.Integer(), nullable=False),
        _utc("written_at", nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _utc("seen_at", nullable=True),
        _utc("approved_at", nullable=True),
        sa.Column("approved_by", sa.BigInteger(), nullable=True),
        _utc("held_at", nullable=True),
        _utc("held_notified_at", nullable=True),
        _utc("created_at"),
        _utc("updated_at"),
        sa.ForeignKeyConstraint(
            ["sequence_id"],
            ["email_sequences.id"],
            name=op.f("fk_sequence_emails_sequence_id_email_sequences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sequence_emails")),
        sa.UniqueConstraint(
            "sequence_id", "number", name=op.f("uq_sequence_emails_sequence_id_number")
        ),
    )
    for column in ("sequence_id", "due_at", "status"):
        op.create_index(op.f(f"ix_sequence_emails_{column}"), "sequence_emails", [column])
