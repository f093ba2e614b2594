"""idempotency keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 12:20:45.756648
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salon.db.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_key",
        sa.Column("id_idempotency_key", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("id_ambassador", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("date_insert", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["id_ambassador"],
            ["ambassador.id_ambassador"],
            name=op.f("fk_idempotency_key_id_ambassador_ambassador"),
        ),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_idempotency_key_id_brand_brand")
        ),
        sa.PrimaryKeyConstraint("id_idempotency_key", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint(
            "id_ambassador", "key", name=op.f("uq_idempotency_key_id_ambassador_key")
        ),
    )
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_key_date_insert"), ["date_insert"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_idempotency_key_id_brand"), ["id_brand"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_key_id_brand"))
        batch_op.drop_index(batch_op.f("ix_idempotency_key_date_insert"))

    op.drop_table("idempotency_key")
