"""one delivery per sequence email and recipient; unsubscribes (issue 13, sending)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 00:30:00.000000
"""

from collections.abc import Sequence

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled in by this migration's feature (placeholder keeps the chain fixed)


def downgrade() -> None:
    pass
