"""webhooks: endpoints per brand, deliveries written with the change that causes them, attempts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 02:11:41.141825
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salon.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id_webhook", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("event_types", sa.Text(), nullable=False),
        sa.Column("rating_value_min", sa.SmallInteger(), nullable=True),
        sa.Column("rating_value_max", sa.SmallInteger(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("previous_secret", sa.String(length=64), nullable=True),
        sa.Column(
            "previous_secret_expires", salon.db.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("failing_since", salon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("date_create", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("date_update", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_webhook_endpoint_id_brand_brand")
        ),
        sa.PrimaryKeyConstraint("id_webhook", name=op.f("pk_webhook_endpoint")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoint_id_brand"), ["id_brand"], unique=False
        )

    op.create_table(
        "webhook_delivery",
        sa.Column("id_delivery", sa.Integer(), nullable=False),
        sa.Column("id_webhook", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("step", sa.SmallInteger(), nullable=False),
        sa.Column("next_attempt_at", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_status_code", sa.SmallInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("date_create", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("date_done", salon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_webhook_delivery_id_brand_brand")
        ),
        sa.ForeignKeyConstraint(
            ["id_webhook"],
            ["webhook_endpoint.id_webhook"],
            name=op.f("fk_webhook_delivery_id_webhook_webhook_endpoint"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_delivery", name=op.f("pk_webhook_delivery")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_delivery_date_create", ["date_create"], unique=False)
        batch_op.create_index(
            "ix_webhook_delivery_due",
            ["next_attempt_at"],
            unique=False,
            sqlite_where=sa.text("status = 0"),
            postgresql_where=sa.text("status = 0"),
        )
        batch_op.create_index(
            "ix_webhook_delivery_endpoint", ["id_webhook", "id_delivery"], unique=False
        )

    op.create_table(
        "webhook_attempt",
        sa.Column("id_attempt", sa.Integer(), nullable=False),
        sa.Column("id_delivery", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("date_attempt", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.SmallInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("response_excerpt", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id_delivery"],
            ["webhook_delivery.id_delivery"],
            name=op.f("fk_webhook_attempt_id_delivery_webhook_delivery"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_attempt", name=op.f("pk_webhook_attempt")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("webhook_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_attempt_id_delivery"), ["id_delivery"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_attempt_id_delivery"))

    op.drop_table("webhook_attempt")
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_delivery_endpoint")
        batch_op.drop_index(
            "ix_webhook_delivery_due",
            sqlite_where=sa.text("status = 0"),
            postgresql_where=sa.text("status = 0"),
        )
        batch_op.drop_index("ix_webhook_delivery_date_create")

    op.drop_table("webhook_delivery")
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoint_id_brand"))

    op.drop_table("webhook_endpoint")
