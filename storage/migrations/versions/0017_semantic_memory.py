"""Semantic memory: items, embeddings, pgvector when present (issue 16)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 07:00:00.000000

memory_items holds one row per remembered item with its float32 vector (bytes on SQLite,
real[] on PostgreSQL); memory_events what happened to it. On PostgreSQL, when the server
lists pgvector as available, the extension is created and an HNSW index is built on the
expression (embedding::vector(384)) for the bundled model's 384-d vectors; elsewhere the
search is exact, in numpy. llm_calls.retrieval records what memory showed a model.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import storage.base

log = logging.getLogger("alembic.runtime.migration")

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
VECTOR = sa.LargeBinary().with_variant(postgresql.ARRAY(postgresql.REAL()), "postgresql")
HNSW_INDEX = "ix_memory_items_embedding_hnsw"  # storage.models.memory.PGVECTOR_INDEX


def _utc(name: str, *, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.base.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "memory_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        _utc("at"),
        sa.Column("engagement", JSON, nullable=True),
        sa.Column("model", sa.String(length=200), nullable=True),
        sa.Column("dims", sa.Integer(), nullable=True),
        sa.Column("embedding", VECTOR, nullable=True),
        sa.Column("embed_attempts", sa.Integer(), nullable=False),
        _utc("embed_after", nullable=True),
        sa.Column("embed_error", sa.Text(), nullable=True),
        _utc("created_at"),
        _utc("updated_at"),
        sa.ForeignKeyConstraint(
            ["persona_id"], ["personas.id"],
            name=op.f("fk_memory_items_persona_id_personas"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_items")),
        sa.UniqueConstraint("kind", "item_id", name=op.f("uq_memory_items_kind_item_id")),
    )  # fmt: skip
    op.create_index("ix_memory_items_persona", "memory_items", ["persona_id", "at"])
    op.create_index("ix_memory_items_pending", "memory_items", ["dims", "embed_after"])
    op.create_index("ix_memory_items_changes", "memory_items", ["persona_id", "updated_at"])
    op.create_table(
        "memory_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("memory_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        _utc("at"),
        sa.ForeignKeyConstraint(
            ["memory_id"], ["memory_items.id"],
            name=op.f("fk_memory_events_memory_id_memory_items"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_events")),
        sa.UniqueConstraint("memory_id", "event", "at", name=op.f("uq_memory_events_memory_id_event_at")),
    )  # fmt: skip
    op.create_index(op.f("ix_memory_events_memory_id"), "memory_events", ["memory_id"])
    with op.batch_alter_table("llm_calls") as batch:
        batch.add_column(sa.Column("retrieval", JSON, nullable=True))
    if _pgvector_enabled():
        # Partial: only the bundled model's 384-d vectors (another model's may differ).
        op.execute(
            f"CREATE INDEX {HNSW_INDEX} ON memory_items "
            "USING hnsw ((embedding::vector(384)) vector_cosine_ops) WHERE dims = 384"
        )


def downgrade() -> None:
    # The extension stays: other tables of this database may use it.
    if _is_postgres():
        op.execute(f"DROP INDEX IF EXISTS {HNSW_INDEX}")
    with op.batch_alter_table("llm_calls") as batch:
        batch.drop_column("retrieval")
    op.drop_index(op.f("ix_memory_events_memory_id"), table_name="memory_events")
    op.drop_table("memory_events")
    op.drop_index("ix_memory_items_changes", table_name="memory_items")
    op.drop_index("ix_memory_items_pending", table_name="memory_items")
    op.drop_index("ix_memory_items_persona", table_name="memory_items")
    op.drop_table("memory_items")


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _pgvector_enabled() -> bool:
    """Creates the extension when the server has it; False (exact search) when it has not,
    or when this role may not create it (pgvector is not a trusted extension: a superuser
    runs CREATE EXTENSION vector once, and the next migration or start uses it)."""
    if not _is_postgres():
        return False
    bind = op.get_bind()
    available = "SELECT 1 FROM pg_available_extensions WHERE name = 'vector'"
    if bind.execute(sa.text(available)).first() is None:
        return False
    try:
        with bind.begin_nested():  # a refusal must not abort the migration's transaction
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
    except sa.exc.DBAPIError as exc:
        log.warning("pgvector not enabled, memory searches exactly: %s", exc.orig)
        return False
    return True
