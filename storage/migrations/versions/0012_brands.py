"""brand guidelines per persona (issue 14, owner: brand helper)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.base.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "brands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=True),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column(
            "guidelines",
            sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        _utc("created_at"),
        _utc("updated_at"),
        sa.ForeignKeyConstraint(
            ["persona_id"],
            ["personas.id"],
            name=op.f("fk_brands_persona_id_personas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brands")),
        sa.UniqueConstraint("persona_id", name=op.f("uq_brands_persona_id")),
    )
    # At most one default brand; one persona-less brand per name (partial unique indexes,
    # which both SQLite and PostgreSQL have).
    op.create_index(
        "uq_brands_one_default",
        "brands",
        ["is_default"],
        unique=True,
        sqlite_where=sa.text("is_default = 1"),
        postgresql_where=sa.text("is_default"),
    )
    op.create_index(
        "uq_brands_name_without_persona",
        "brands",
        ["name_key"],
        unique=True,
        sqlite_where=sa.text("persona_id IS NULL"),
        postgresql_where=sa.text("persona_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_brands_name_without_persona", table_name="brands")
    op.drop_index("uq_brands_one_default", table_name="brands")
    op.drop_table("brands")
