"""ambassadors: when staff approved or declined an application, and why they declined it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salon.db.base

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ambassador") as ambassador:
        ambassador.add_column(
            sa.Column("validate_date", salon.db.base.UTCDateTime(), nullable=True)
        )
        ambassador.add_column(
            sa.Column("declined_date", salon.db.base.UTCDateTime(), nullable=True)
        )
        ambassador.add_column(sa.Column("decline_reason", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ambassador") as ambassador:
        ambassador.drop_column("decline_reason")
        ambassador.drop_column("declined_date")
        ambassador.drop_column("validate_date")
