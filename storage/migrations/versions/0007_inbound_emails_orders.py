"""customer emails received and the orders imported (issue 13, intake)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 00:30:00.000000
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled in by this migration's feature (placeholder keeps the chain fixed)


def downgrade() -> None:
    pass
