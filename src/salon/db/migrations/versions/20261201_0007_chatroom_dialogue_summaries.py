"""chatrooms: when the dialogue was established, and their summaries

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salon.db.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The first message (not a rating request) by someone other than the chatroom's first author.
BACKFILL = """
UPDATE chatroom SET established_dialogue = (
  SELECT min(m.date_insert) FROM message m
  WHERE m.id_chatroom = chatroom.id_chatroom AND m.type_message <> 2
  AND m.id_ambassador <> (
    SELECT first.id_ambassador FROM message first
    WHERE first.id_chatroom = chatroom.id_chatroom AND first.type_message <> 2
    ORDER BY first.id_message LIMIT 1
  )
)
"""


def upgrade() -> None:
    with op.batch_alter_table("chatroom") as chatroom:
        chatroom.add_column(
            sa.Column("established_dialogue", salon.db.base.UTCDateTime(), nullable=True)
        )
    op.execute(BACKFILL)
    op.create_table(
        "chatroom_summary",
        sa.Column("id_chatroom_summary", sa.Integer(), nullable=False),
        sa.Column("id_chatroom", sa.Integer(), nullable=False),
        sa.Column("id_brand", sa.Integer(), nullable=False),
        sa.Column("date_insert", salon.db.base.UTCDateTime(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("anomaly", sa.SmallInteger(), nullable=False),
        sa.Column("topic", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["id_brand"], ["brand.id_brand"], name=op.f("fk_chatroom_summary_id_brand_brand")
        ),
        sa.ForeignKeyConstraint(
            ["id_chatroom"],
            ["chatroom.id_chatroom"],
            name=op.f("fk_chatroom_summary_id_chatroom_chatroom"),
        ),
        sa.PrimaryKeyConstraint("id_chatroom_summary", name=op.f("pk_chatroom_summary")),
    )
    op.create_index(
        op.f("ix_chatroom_summary_chatroom"), "chatroom_summary", ["id_chatroom", "date_insert"]
    )
    op.create_index(op.f("ix_chatroom_summary_id_brand"), "chatroom_summary", ["id_brand"])


def downgrade() -> None:
    op.drop_index("ix_chatroom_summary_id_brand", table_name="chatroom_summary")
    op.drop_index("ix_chatroom_summary_chatroom", table_name="chatroom_summary")
    op.drop_table("chatroom_summary")
    with op.batch_alter_table("chatroom") as chatroom:
        chatroom.drop_column("established_dialogue")
