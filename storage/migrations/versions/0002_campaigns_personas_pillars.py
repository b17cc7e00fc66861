"""campaigns personas pillars

Personas with their content pillars, campaigns, the campaign columns of posts (plus the
approval flag and seen time), and the REST API's idempotency keys and rate-limit windows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:01:41.690550
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations
from sqlalchemy.dialects import postgresql

import storage.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# posts column -> the table it points at (ON DELETE SET NULL)
POST_LINKS = {
    "campaign_id": "campaigns",
    "persona_id": "personas",
    "content_pillar_id": "content_pillars",
}


def _utc(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, storage.base.UTCDateTime(timezone=True), nullable=nullable)


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    _create_personas()
    _create_campaigns()
    _add_post_columns()
    _create_api_tables()


def downgrade() -> None:
    _drop_post_columns()
    op.drop_index(op.f("ix_campaigns_persona_id"), table_name="campaigns")
    op.drop_index(op.f("ix_campaigns_created_at"), table_name="campaigns")
    op.drop_table("campaigns")
    op.drop_table("content_pillars")
    op.drop_table("personas")
    op.drop_table("rate_limit_windows")
    op.drop_index(op.f("ix_idempotency_keys_created_at"), table_name="idempotency_keys")
    op.drop_table("idempotency_keys")


def _create_personas() -> None:
    op.create_table(
        "personas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("caption_config", JSON, nullable=False),
        sa.Column("hashtag_strategy", JSON, nullable=False),
        sa.Column("brand_guidelines", sa.Text(), nullable=True),
        _utc("created_at"),
        _utc("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personas")),
        sa.UniqueConstraint("name", name=op.f("uq_personas_name")),
    )
    op.create_table(
        "content_pillars",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _utc("created_at"),
        sa.ForeignKeyConstraint(
            ["persona_id"],
            ["personas.id"],
            name=op.f("fk_content_pillars_persona_id_personas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_pillars")),
        sa.UniqueConstraint("persona_id", "name", name=op.f("uq_content_pillars_persona_id_name")),
    )


def _create_campaigns() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("persona_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("strategy_metadata", JSON, nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        _utc("created_at"),
        sa.ForeignKeyConstraint(
            ["persona_id"], ["personas.id"], name=op.f("fk_campaigns_persona_id_personas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(op.f("ix_campaigns_created_at"), "campaigns", ["created_at"])
    op.create_index(op.f("ix_campaigns_persona_id"), "campaigns", ["persona_id"])


def _add_post_columns() -> None:
    with _posts_table() as batch_op:
        for column in POST_LINKS:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("format", sa.String(length=20), nullable=True))
        batch_op.add_column(_utc("approved_at", nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.BigInteger(), nullable=True))
        batch_op.add_column(_utc("seen_at", nullable=True))
        batch_op.create_index(batch_op.f("ix_posts_campaign_id"), ["campaign_id"])
        for column, target in POST_LINKS.items():
            batch_op.create_foreign_key(
                batch_op.f(f"fk_posts_{column}_{target}"), target, [column], ["id"],
                ondelete="SET NULL",
            )  # fmt: skip


def _drop_post_columns() -> None:
    with _posts_table() as batch_op:
        for column, target in POST_LINKS.items():
            batch_op.drop_constraint(batch_op.f(f"fk_posts_{column}_{target}"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_posts_campaign_id"))
        for column in (*POST_LINKS, "description", "format", "approved_at", "approved_by"):
            batch_op.drop_column(column)
        batch_op.drop_column("seen_at")


@contextmanager
def _posts_table() -> Iterator[BatchOperations]:
    """Alter posts; on SQLite (a copy of the table) without losing post_transitions.

    SQLite can't add or drop a foreign key in place, so batch mode copies posts and
    DROPs the original, and with foreign keys on, a DROP first deletes every row:
    post_transitions' ON DELETE CASCADE would empty it. Its rows are kept aside and put
    back. (PRAGMA foreign_keys can't be switched off inside the migration's transaction.)
    """
    if not _is_sqlite():
        with op.batch_alter_table("posts") as batch_op:
            yield batch_op
        return
    op.execute("CREATE TEMP TABLE keep_post_transitions AS SELECT * FROM post_transitions")
    with op.batch_alter_table("posts") as batch_op:
        yield batch_op
    op.execute(
        "INSERT INTO post_transitions SELECT * FROM keep_post_transitions "
        "WHERE id NOT IN (SELECT id FROM post_transitions)"
    )
    op.execute("DROP TABLE keep_post_transitions")


def _create_api_tables() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("response", JSON, nullable=True),
        _utc("created_at"),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_idempotency_keys")),
    )
    op.create_index(op.f("ix_idempotency_keys_created_at"), "idempotency_keys", ["created_at"])
    op.create_table(
        "rate_limit_windows",
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("window_start", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject", "window_start", name=op.f("pk_rate_limit_windows")),
    )
