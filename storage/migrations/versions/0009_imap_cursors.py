"""the support inbox's UIDVALIDITY and last UID fetched (issue 13, IMAP)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 00:30:00.000000
"""

from collections.abc import Sequence

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # filled in by this migration's feature (placeholder keeps the chain fixed)


def downgrade() -> None:
    pass
