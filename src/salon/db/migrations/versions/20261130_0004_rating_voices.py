"""a rater's voice counts once: one open rating per (chatroom, rater, rated)

Before, only one *pending* request per (chatroom, rater, rated) was unique, and every rating
posted with a value made a new row: the same person could rate the same ambassador in the same
chatroom any number of times. Now at most one rating per (chatroom, rater, rated) is open
(neither deleted nor superseded). Existing duplicates are settled here: the newest stays open,
each older one is marked superseded at the moment its successor was asked.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import salon.db.base

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("date_delete IS NULL AND date_supersede IS NULL")
_PENDING = sa.text("value IS NULL AND date_delete IS NULL")

# A live rating with a newer live one of the same triple is superseded when that one was asked.
_SETTLE_DUPLICATES = """
UPDATE rating SET date_supersede = (
    SELECT min(newer.date_insert) FROM rating AS newer
    WHERE newer.id_chatroom = rating.id_chatroom
      AND newer.id_user_rater = rating.id_user_rater
      AND newer.id_user_rated = rating.id_user_rated
      AND newer.id_rating > rating.id_rating
      AND newer.date_delete IS NULL
)
WHERE date_delete IS NULL AND EXISTS (
    SELECT 1 FROM rating AS newer
    WHERE newer.id_chatroom = rating.id_chatroom
      AND newer.id_user_rater = rating.id_user_rater
      AND newer.id_user_rated = rating.id_user_rated
      AND newer.id_rating > rating.id_rating
      AND newer.date_delete IS NULL
)
"""


def upgrade() -> None:
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("date_supersede", salon.db.base.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute(_SETTLE_DUPLICATES)
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_rating_pending_request", sqlite_where=_PENDING, postgresql_where=_PENDING
        )
        batch_op.create_index(
            "uq_rating_open",
            ["id_chatroom", "id_user_rater", "id_user_rated"],
            unique=True,
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_chatroom_author", ["id_chatroom", "id_ambassador", "id_message"]
        )


def downgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_chatroom_author")
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_index("uq_rating_open", sqlite_where=_OPEN, postgresql_where=_OPEN)
        batch_op.create_index(
            "uq_rating_pending_request",
            ["id_chatroom", "id_user_rater", "id_user_rated"],
            unique=True,
            sqlite_where=_PENDING,
            postgresql_where=_PENDING,
        )
        batch_op.drop_column("date_supersede")
