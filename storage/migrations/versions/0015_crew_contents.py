"""content written from a brief by /write and the content copilot API (issue 14, owner: write helper)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _utc(name: str, *, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "crew_contents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("campaign_brief", sa.Text(), nullable=False),
        sa.Column("target_audience", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("brand_name", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("hashtags", JSON, nullable=False),
        sa.Column("report", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("cost_microusd", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("retry_id", sa.Integer(), nullable=True),
        _utc("created_at"),
        _utc("completed_at", nullable=True),
        _utc("updated_at"),
        sa.ForeignKeyConstraint(
            ["brand_id"], ["brands.id"],
            name=op.f("fk_crew_contents_brand_id_brands"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"],
            name=op.f("fk_crew_contents_post_id_posts"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["retry_id"], ["crew_contents.id"],
            name=op.f("fk_crew_contents_retry_id_crew_contents"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crew_contents")),
        sa.UniqueConstraint("public_id", name=op.f("uq_crew_contents_public_id")),
    )  # fmt: skip
    op.create_index(op.f("ix_crew_contents_status"), "crew_contents", ["status"])
    op.create_index(op.f("ix_crew_contents_created_at"), "crew_contents", ["created_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_crew_contents_created_at"), table_name="crew_contents")
    op.drop_index(op.f("ix_crew_contents_status"), table_name="crew_contents")
    op.drop_table("crew_contents")
