"""catalog: chat topics, and the i18n contents of brand tags and chat topics

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 00:38:03.190014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salon.db.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_topic",
        sa.Column("id_chat_topic", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("roles", sa.String(length=255), nullable=False),
        sa.Column("date_insert", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("date_update", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_chat_topic_id_brand_brand")
        ),
        sa.PrimaryKeyConstraint("id_chat_topic", name=op.f("pk_chat_topic")),
    )
    with op.batch_alter_table("chat_topic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_topic_id_brand"), ["id_brand"], unique=False)

    op.create_table(
        "i18n_content",
        sa.Column("id_i18n_content", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("id_owner", sa.Integer(), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('brand_tag.names', 'brand_tag.images', 'chat_topic.contents')",
            name=op.f("ck_i18n_content_kind_enum"),
        ),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_i18n_content_id_brand_brand")
        ),
        sa.PrimaryKeyConstraint("id_i18n_content", name=op.f("pk_i18n_content")),
        sa.UniqueConstraint(
            "kind", "id_owner", "lang", name=op.f("uq_i18n_content_kind_id_owner_lang")
        ),
    )
    with op.batch_alter_table("i18n_content", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_i18n_content_id_brand"), ["id_brand"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("i18n_content", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_i18n_content_id_brand"))

    op.drop_table("i18n_content")
    with op.batch_alter_table("chat_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_topic_id_brand"))

    op.drop_table("chat_topic")
