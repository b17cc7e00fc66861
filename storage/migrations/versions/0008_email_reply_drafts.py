"""reply drafts for customer emails and their sends (issue 13, replies)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 00:30:00.000000
"""

from collections.abc import Sequence

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled in by this migration's feature (placeholder keeps the chain fixed)


def downgrade() -> None:
    pass
