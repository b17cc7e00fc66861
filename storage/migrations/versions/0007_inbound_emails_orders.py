"""customer emails received and the orders imported (issue 13, intake)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base
from storage.types import JSONType

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _inbound_emails()
    _orders()


def _inbound_emails() -> None:
    op.create_table(
        "inbound_emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_ref", sa.String(length=500), nullable=True),
        sa.Column("dedupe_key", sa.String(length=600), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("unreadable_reason", sa.Text(), nullable=True),
        sa.Column("from_address", sa.String(length=320), nullable=False),
        sa.Column("from_name", sa.String(length=300), nullable=False),
        sa.Column("reply_to", sa.String(length=320), nullable=True),
        sa.Column("to_addresses", JSONType, nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_for_prompt", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=500), nullable=True),
        sa.Column("in_reply_to", sa.String(length=500), nullable=True),
        sa.Column("references", JSONType, nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=True),
        sa.Column("attachments", JSONType, nullable=False),
        sa.Column("raw_size", sa.Integer(), nullable=True),
        sa.Column("sent_at", storage.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_emails")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_inbound_emails_dedupe_key")),
        sa.UniqueConstraint(
            "source", "source_ref", name=op.f("uq_inbound_emails_source_source_ref")
        ),
    )
    for column in ("status", "order_number", "received_at"):
        op.create_index(op.f(f"ix_inbound_emails_{column}"), "inbound_emails", [column])


def _orders() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=60), nullable=False),
        sa.Column("items", JSONType, nullable=False),
        sa.Column("customer_email", sa.String(length=320), nullable=True),
        sa.Column("created_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
        sa.UniqueConstraint("order_number", name=op.f("uq_orders_order_number")),
    )
    op.create_index(op.f("ix_orders_customer_email"), "orders", ["customer_email"])


def downgrade() -> None:
    op.drop_index(op.f("ix_orders_customer_email"), table_name="orders")
    op.drop_table("orders")
    for column in ("status", "order_number", "received_at"):
        op.drop_index(op.f(f"ix_inbound_emails_{column}"), table_name="inbound_emails")
    op.drop_table("inbound_emails")
