"""what became of each generated item, for prompt experiments; promoted prompt variants
(issue 14, owner: experiments helper)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "item_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("llm_call_id", sa.Integer(), nullable=True),
        sa.Column("template_name", sa.String(length=100), nullable=True),
        sa.Column("template_version", sa.Integer(), nullable=True),
        sa.Column("variant", sa.String(length=50), nullable=True),
        sa.Column("cost_microusd", sa.BigInteger(), nullable=False),
        _utc("generated_at"),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        _utc("decided_at", nullable=True),
        sa.Column("seconds_to_decision", sa.Float(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["llm_call_id"],
            ["llm_calls.id"],
            name=op.f("fk_item_outcomes_llm_call_id_llm_calls"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_outcomes")),
    )
    op.create_index("ix_item_outcomes_item", "item_outcomes", ["item_kind", "item_id"])
    op.create_index(op.f("ix_item_outcomes_template_name"), "item_outcomes", ["template_name"])
    op.create_index(op.f("ix_item_outcomes_decided_at"), "item_outcomes", ["decided_at"])
    op.create_table(
        "prompt_promotions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=50), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("promoted_by", sa.BigInteger(), nullable=True),
        _utc("promoted_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_promotions")),
    )
    op.create_index(op.f("ix_prompt_promotions_name"), "prompt_promotions", ["name"])


def downgrade() -> None:
    op.drop_index(op.f("ix_prompt_promotions_name"), table_name="prompt_promotions")
    op.drop_table("prompt_promotions")
    op.drop_index(op.f("ix_item_outcomes_decided_at"), table_name="item_outcomes")
    op.drop_index(op.f("ix_item_outcomes_template_name"), table_name="item_outcomes")
    op.drop_index("ix_item_outcomes_item", table_name="item_outcomes")
    op.drop_table("item_outcomes")
