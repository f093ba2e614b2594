"""rating links: a request carries a link for its rater, stored hashed, expiring

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 06:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salon.db.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rating") as rating:
        rating.add_column(sa.Column("link_hash", sa.String(length=64), nullable=True))
        rating.add_column(sa.Column("link_expires_at", salon.db.base.UTCDateTime(), nullable=True))
        rating.create_index("uq_rating_link_hash", ["link_hash"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("rating") as rating:
        rating.drop_index("uq_rating_link_hash")
        rating.drop_column("link_expires_at")
        rating.drop_column("link_hash")
