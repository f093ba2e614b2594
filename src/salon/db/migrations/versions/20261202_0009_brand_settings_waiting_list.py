"""the visitor's way in: the brand's public settings, its widget's, and the waiting list

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salon.db.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("date_handled IS NULL AND date_delete IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("brand") as brand:
        brand.add_column(
            sa.Column("default_language", sa.String(16), server_default="en_US", nullable=False)
        )
        brand.add_column(sa.Column("url", sa.String(2048), nullable=True))
        brand.add_column(sa.Column("program_label", sa.String(255), nullable=True))
        brand.add_column(
            sa.Column(
                "register_restriction", sa.String(32), server_default="MANUALLY", nullable=False
            )
        )
        brand.add_column(
            sa.Column(
                "product_price_display_limit",
                sa.Integer(),
                server_default=sa.text("0"),
                nullable=False,
            )
        )
        brand.add_column(sa.Column("widget_wl_cta_chat_topic", sa.Integer(), nullable=True))
        brand.add_column(
            sa.Column(
                "widget_community_default_sort_amb_by",
                sa.Integer(),
                server_default=sa.text("0"),
                nullable=False,
            )
        )
        brand.add_column(sa.Column("timezone", sa.String(64), server_default="UTC", nullable=False))
        brand.add_column(sa.Column("brand_config", sa.Text(), server_default="{}", nullable=False))
        brand.add_column(
            sa.Column("available_content_language", sa.Text(), server_default="[]", nullable=False)
        )
        brand.add_column(sa.Column("widget_config", sa.Text(), server_default="{}", nullable=False))
    op.create_table(
        "waiting_list",
        sa.Column("id_waiting_list", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("id_user", sa.Integer(), nullable=False),
        sa.Column("id_ambassador", sa.Integer(), nullable=True),
        sa.Column("id_chat_topic", sa.Integer(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("id_chatroom", sa.Integer(), nullable=True),
        sa.Column("date_insert", salon.db.base.UTCDateTime(), nullable=False),
        sa.Column("date_handled", salon.db.base.UTCDateTime(), nullable=True),
        sa.Column("date_update", salon.db.base.UTCDateTime(), nullable=False),
        sa.Column("date_delete", salon.db.base.UTCDateTime(), nullable=True),
        sa.Column("source", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("id_transferrer", sa.Integer(), nullable=True),
        sa.Column("id_chatroom_transferred", sa.Integer(), nullable=True),
        sa.Column("comment", sa.String(1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_waiting_list_id_brand_brand")
        ),
        sa.ForeignKeyConstraint(
            ["id_user"],
            ["ambassador.id_ambassador"],
            name=op.f("fk_waiting_list_id_user_ambassador"),
        ),
        sa.ForeignKeyConstraint(
            ["id_ambassador"],
            ["ambassador.id_ambassador"],
            name=op.f("fk_waiting_list_id_ambassador_ambassador"),
        ),
        sa.ForeignKeyConstraint(
            ["id_chatroom"],
            ["chatroom.id_chatroom"],
            name=op.f("fk_waiting_list_id_chatroom_chatroom"),
        ),
        sa.ForeignKeyConstraint(
            ["id_transferrer"],
            ["ambassador.id_ambassador"],
            name=op.f("fk_waiting_list_id_transferrer_ambassador"),
        ),
        sa.ForeignKeyConstraint(
            ["id_chatroom_transferred"],
            ["chatroom.id_chatroom"],
            name=op.f("fk_waiting_list_id_chatroom_transferred_chatroom"),
        ),
        sa.PrimaryKeyConstraint("id_waiting_list", name=op.f("pk_waiting_list")),
    )
    op.create_index(
        "uq_waiting_list_open",
        "waiting_list",
        ["id_user"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index("ix_waiting_list_brand_handled", "waiting_list", ["id_brand", "date_handled"])


def downgrade() -> None:
    op.drop_index("ix_waiting_list_brand_handled", table_name="waiting_list")
    op.drop_index("uq_waiting_list_open", table_name="waiting_list")
    op.drop_table("waiting_list")
    with op.batch_alter_table("brand") as brand:
        for column in (
            "widget_config",
            "available_content_language",
            "brand_config",
            "timezone",
            "widget_community_default_sort_amb_by",
            "widget_wl_cta_chat_topic",
            "product_price_display_limit",
            "register_restriction",
            "program_label",
            "url",
            "default_language",
        ):
            brand.drop_column(column)
