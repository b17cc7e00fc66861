"""SMS flows and their versions (issue 15, owner: flow-gen helper)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 04:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _utc(name: str, *, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "flows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        sa.Column("persona_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        _utc("decided_at", nullable=True),
        _utc("created_at"),
        _utc("updated_at"),
        sa.ForeignKeyConstraint(
            ["persona_id"], ["personas.id"],
            name=op.f("fk_flows_persona_id_personas"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flows")),
    )  # fmt: skip
    op.create_index(op.f("ix_flows_status"), "flows", ["status"])
    op.create_index(op.f("ix_flows_created_at"), "flows", ["created_at"])
    op.create_table(
        "flow_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flow_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("flow", sa.Text(), nullable=False),
        sa.Column("llm_call_id", sa.Integer(), nullable=True),
        sa.Column("model_used", sa.String(length=200), nullable=False),
        sa.Column("tokens_used", sa.Integer(), nullable=False),
        sa.Column("generation_time_ms", sa.Integer(), nullable=False),
        sa.Column("prompt_version", sa.Integer(), nullable=False),
        sa.Column("prompt_variant", sa.String(length=50), nullable=False),
        sa.Column("cost_microusd", sa.BigInteger(), nullable=False),
        sa.Column("repairs", sa.Integer(), nullable=False),
        sa.Column("corrections", JSON, nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=True),
        _utc("created_at"),
        sa.ForeignKeyConstraint(
            ["flow_id"], ["flows.id"],
            name=op.f("fk_flow_versions_flow_id_flows"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["llm_call_id"], ["llm_calls.id"],
            name=op.f("fk_flow_versions_llm_call_id_llm_calls"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_versions")),
        sa.UniqueConstraint(
            "flow_id", "version", name=op.f("uq_flow_versions_flow_id_version")
        ),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("flow_versions")
    op.drop_index(op.f("ix_flows_created_at"), table_name="flows")
    op.drop_index(op.f("ix_flows_status"), table_name="flows")
    op.drop_table("flows")
