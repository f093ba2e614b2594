"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 11:43:27.619517
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salon.db.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brand",
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("date_insert", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_brand", name=op.f("pk_brand")),
        sa.UniqueConstraint("label", name=op.f("uq_brand_label")),
    )
    op.create_table(
        "ambassador",
        sa.Column("id_ambassador", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("image", sa.String(length=2048), nullable=True),
        sa.Column("firstname", sa.String(length=255), nullable=False),
        sa.Column("lastname", sa.String(length=255), nullable=False),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("email_tmp", sa.String(length=320), nullable=True),
        sa.Column("active", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("last_action_date", salon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("customer_id", sa.String(length=255), nullable=True),
        sa.Column("anonymized", sa.Boolean(), nullable=False),
        sa.Column("date_insert", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("date_update", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("active BETWEEN -5 AND 1", name=op.f("ck_ambassador_active_enum")),
        sa.CheckConstraint("status BETWEEN 0 AND 8", name=op.f("ck_ambassador_status_enum")),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_ambassador_id_brand_brand")
        ),
        sa.PrimaryKeyConstraint("id_ambassador", name=op.f("pk_ambassador")),
        sa.UniqueConstraint("id_brand", "email", name=op.f("uq_ambassador_id_brand_email")),
    )
    with op.batch_alter_table("ambassador", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ambassador_id_brand"), ["id_brand"], unique=False)

    op.create_table(
        "chatroom",
        sa.Column("id_chatroom", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("type_chatroom", sa.SmallInteger(), nullable=False),
        sa.Column("type_discussion", sa.SmallInteger(), nullable=False),
        sa.Column("source", sa.SmallInteger(), nullable=False),
        sa.Column("date_insert", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_message_date", salon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("source BETWEEN 0 AND 2", name=op.f("ck_chatroom_source_enum")),
        sa.CheckConstraint("type_chatroom IN (0, 7)", name=op.f("ck_chatroom_type_chatroom_enum")),
        sa.CheckConstraint(
            "type_discussion BETWEEN 0 AND 2", name=op.f("ck_chatroom_type_discussion_enum")
        ),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_chatroom_id_brand_brand")
        ),
        sa.PrimaryKeyConstraint("id_chatroom", name=op.f("pk_chatroom")),
    )
    with op.batch_alter_table("chatroom", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chatroom_id_brand"), ["id_brand"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id_api_token", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("id_ambassador", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("date_insert", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("date_revoke", salon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["id_ambassador"],
            ["ambassador.id_ambassador"],
            name=op.f("fk_api_token_id_ambassador_ambassador"),
        ),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_api_token_id_brand_brand")
        ),
        sa.PrimaryKeyConstraint("id_api_token", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_token_id_ambassador"), ["id_ambassador"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_api_token_id_brand"), ["id_brand"], unique=False)

    op.create_table(
        "chatroom_ambassador",
        sa.Column("id_chatroom", sa.Integer(), nullable=False),
        sa.Column("id_ambassador", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("last_read_message", sa.Integer(), nullable=True),
        sa.Column("is_blocked", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("flag", sa.SmallInteger(), nullable=True),
        sa.Column("date_insert", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("flag IN (1, 2)", name=op.f("ck_chatroom_ambassador_flag_enum")),
        sa.ForeignKeyConstraint(
            ["id_ambassador"],
            ["ambassador.id_ambassador"],
            name=op.f("fk_chatroom_ambassador_id_ambassador_ambassador"),
        ),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_chatroom_ambassador_id_brand_brand")
        ),
        sa.ForeignKeyConstraint(
            ["id_chatroom"],
            ["chatroom.id_chatroom"],
            name=op.f("fk_chatroom_ambassador_id_chatroom_chatroom"),
        ),
        sa.PrimaryKeyConstraint(
            "id_chatroom", "id_ambassador", name=op.f("pk_chatroom_ambassador")
        ),
    )
    with op.batch_alter_table("chatroom_ambassador", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chatroom_ambassador_id_ambassador"), ["id_ambassador"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_chatroom_ambassador_id_brand"), ["id_brand"], unique=False
        )

    op.create_table(
        "message",
        sa.Column("id_message", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("id_chatroom", sa.Integer(), nullable=False),
        sa.Column("id_ambassador", sa.Integer(), nullable=False),
        sa.Column("type_message", sa.SmallInteger(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("status_moderation", sa.SmallInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("date_insert", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("date_update", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "type_message BETWEEN 0 AND 9", name=op.f("ck_message_type_message_enum")
        ),
        sa.ForeignKeyConstraint(
            ["id_ambassador"],
            ["ambassador.id_ambassador"],
            name=op.f("fk_message_id_ambassador_ambassador"),
        ),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_message_id_brand_brand")
        ),
        sa.ForeignKeyConstraint(
            ["id_chatroom"], ["chatroom.id_chatroom"], name=op.f("fk_message_id_chatroom_chatroom")
        ),
        sa.PrimaryKeyConstraint("id_message", name=op.f("pk_message")),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_chatroom_date", ["id_chatroom", "date_insert"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_message_id_ambassador"), ["id_ambassador"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_message_id_brand"), ["id_brand"], unique=False)

    op.create_table(
        "rating",
        sa.Column("id_rating", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("id_chatroom", sa.Integer(), nullable=False),
        sa.Column("id_message", sa.Integer(), nullable=False),
        sa.Column("id_user_rater", sa.Integer(), nullable=False),
        sa.Column("id_user_rated", sa.Integer(), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("date_insert", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("date_update", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("date_rated", salon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("date_delete", salon.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("value BETWEEN 0 AND 5", name=op.f("ck_rating_value_range")),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_rating_id_brand_brand")
        ),
        sa.ForeignKeyConstraint(
            ["id_chatroom"], ["chatroom.id_chatroom"], name=op.f("fk_rating_id_chatroom_chatroom")
        ),
        sa.ForeignKeyConstraint(
            ["id_message"], ["message.id_message"], name=op.f("fk_rating_id_message_message")
        ),
        sa.ForeignKeyConstraint(
            ["id_user_rated"],
            ["ambassador.id_ambassador"],
            name=op.f("fk_rating_id_user_rated_ambassador"),
        ),
        sa.ForeignKeyConstraint(
            ["id_user_rater"],
            ["ambassador.id_ambassador"],
            name=op.f("fk_rating_id_user_rater_ambassador"),
        ),
        sa.PrimaryKeyConstraint("id_rating", name=op.f("pk_rating")),
        sa.UniqueConstraint("id_message", name=op.f("uq_rating_id_message")),
    )
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rating_chatroom_update", ["id_chatroom", "date_update"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_rating_id_brand"), ["id_brand"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_rating_id_user_rated"), ["id_user_rated"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rating_id_user_rater"), ["id_user_rater"], unique=False
        )
        batch_op.create_index(
            "uq_rating_pending_request",
            ["id_chatroom", "id_user_rater", "id_user_rated"],
            unique=True,
            sqlite_where=sa.text("value IS NULL AND date_delete IS NULL"),
            postgresql_where=sa.text("value IS NULL AND date_delete IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_rating_pending_request",
            sqlite_where=sa.text("value IS NULL AND date_delete IS NULL"),
            postgresql_where=sa.text("value IS NULL AND date_delete IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_rating_id_user_rater"))
        batch_op.drop_index(batch_op.f("ix_rating_id_user_rated"))
        batch_op.drop_index(batch_op.f("ix_rating_id_brand"))
        batch_op.drop_index("ix_rating_chatroom_update")

    op.drop_table("rating")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_id_brand"))
        batch_op.drop_index(batch_op.f("ix_message_id_ambassador"))
        batch_op.drop_index("ix_message_chatroom_date")

    op.drop_table("message")
    with op.batch_alter_table("chatroom_ambassador", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chatroom_ambassador_id_brand"))
        batch_op.drop_index(batch_op.f("ix_chatroom_ambassador_id_ambassador"))

    op.drop_table("chatroom_ambassador")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_id_brand"))
        batch_op.drop_index(batch_op.f("ix_api_token_id_ambassador"))

    op.drop_table("api_token")
    with op.batch_alter_table("chatroom", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chatroom_id_brand"))

    op.drop_table("chatroom")
    with op.batch_alter_table("ambassador", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ambassador_id_brand"))

    op.drop_table("ambassador")
    op.drop_table("brand")
