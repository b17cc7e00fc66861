"""the review crew's reports per item (issue 14, owner: crew helper)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _utc(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "crew_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("draft", JSON, nullable=False),
        sa.Column("steps", JSON, nullable=False),
        sa.Column("report", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("cost_microusd", sa.BigInteger(), nullable=False),
        sa.Column("compliance_failed", sa.Boolean(), nullable=False),
        sa.Column("compliance_confirmed_by", sa.BigInteger(), nullable=True),
        _utc("compliance_confirmed_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        _utc("lease_until", nullable=True),
        _utc("requested_at"),
        _utc("created_at"),
        _utc("updated_at"),
        _utc("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crew_reviews")),
        sa.UniqueConstraint(
            "kind",
            "item_id",
            "content_hash",
            name=op.f("uq_crew_reviews_kind_item_id_content_hash"),
        ),
    )
    op.create_index(op.f("ix_crew_reviews_status"), "crew_reviews", ["status"])
    op.create_index("ix_crew_reviews_item", "crew_reviews", ["kind", "item_id", "requested_at"])


def downgrade() -> None:
    op.drop_index("ix_crew_reviews_item", table_name="crew_reviews")
    op.drop_index(op.f("ix_crew_reviews_status"), table_name="crew_reviews")
    op.drop_table("crew_reviews")
