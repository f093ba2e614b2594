"""auth, brand tags

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 11:58:05.092186
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salon.db.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brand_tag",
        sa.Column("id_brand_tag", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("visibility_chat", sa.SmallInteger(), nullable=False),
        sa.Column("date_insert", salon.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_brand_tag_id_brand_brand")
        ),
        sa.PrimaryKeyConstraint("id_brand_tag", name=op.f("pk_brand_tag")),
        sa.UniqueConstraint("id_brand", "name", name=op.f("uq_brand_tag_id_brand_name")),
    )
    with op.batch_alter_table("brand_tag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_brand_tag_id_brand"), ["id_brand"], unique=False)

    op.create_table(
        "brand_tag_ambassador",
        sa.Column("id_brand_tag", sa.Integer(), nullable=False),
        sa.Column("id_ambassador", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id_ambassador"],
            ["ambassador.id_ambassador"],
            name=op.f("fk_brand_tag_ambassador_id_ambassador_ambassador"),
        ),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_brand_tag_ambassador_id_brand_brand")
        ),
        sa.ForeignKeyConstraint(
            ["id_brand_tag"],
            ["brand_tag.id_brand_tag"],
            name=op.f("fk_brand_tag_ambassador_id_brand_tag_brand_tag"),
        ),
        sa.PrimaryKeyConstraint(
            "id_brand_tag", "id_ambassador", name=op.f("pk_brand_tag_ambassador")
        ),
    )
    with op.batch_alter_table("brand_tag_ambassador", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_brand_tag_ambassador_id_ambassador"), ["id_ambassador"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_brand_tag_ambassador_id_brand"), ["id_brand"], unique=False
        )

    with op.batch_alter_table("ambassador", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("api_key_hash", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_ambassador_api_key_hash"), ["api_key_hash"]
        )

    with op.batch_alter_table("brand", schema=None) as batch_op:
        batch_op.add_column(sa.Column("domain", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_brand_domain"), ["domain"])

    with op.batch_alter_table("chatroom", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_brand_tag", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_chatroom_id_brand_tag_brand_tag"),
            "brand_tag",
            ["id_brand_tag"],
            ["id_brand_tag"],
        )


def downgrade() -> None:
    with op.batch_alter_table("chatroom", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_chatroom_id_brand_tag_brand_tag"), type_="foreignkey"
        )
        batch_op.drop_column("id_brand_tag")

    with op.batch_alter_table("brand", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_brand_domain"), type_="unique")
        batch_op.drop_column("domain")

    with op.batch_alter_table("ambassador", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_ambassador_api_key_hash"), type_="unique")
        batch_op.drop_column("api_key_hash")
        batch_op.drop_column("password_hash")

    with op.batch_alter_table("brand_tag_ambassador", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brand_tag_ambassador_id_brand"))
        batch_op.drop_index(batch_op.f("ix_brand_tag_ambassador_id_ambassador"))

    op.drop_table("brand_tag_ambassador")
    with op.batch_alter_table("brand_tag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brand_tag_id_brand"))

    op.drop_table("brand_tag")
