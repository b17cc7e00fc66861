"""email sequences, their recipients and emails (issue 13, sequences)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 00:30:00.000000
"""

from collections.abc import Sequence

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled in by this migration's feature (placeholder keeps the chain fixed)


def downgrade() -> None:
    pass
