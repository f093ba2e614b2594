"""ambassadors: the profile (full form), the staff's comment, guests bound to a brand user

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXTS = (
    ("gender", 32),
    ("description", 2000),
    ("dob", 10),
    ("lang", 16),
    ("phone_1", 32),
    ("phone_2", 32),
    ("city", 255),
    ("country", 255),
    ("postcode", 32),
    ("availability", 255),
    ("absent_msg", 1000),
    ("fb_account", 255),
    ("twitter_account", 255),
    ("instagram_account", 255),
    ("linkedin_account", 255),
    ("youtube_account", 255),
    ("tiktok_account", 255),
    ("comment", 2000),
)
FLAGS = (
    ("unavailable", False),
    ("is_absent", False),
    ("email_notification_enabled", True),
    ("browser_notification_enabled", True),
    ("notification_chat", True),
    ("notification_email_chat", True),
    ("optin_cgu", False),
    ("optin_cgu_photos", False),
)


def upgrade() -> None:
    with op.batch_alter_table("ambassador") as ambassador:
        for name, length in TEXTS:
            ambassador.add_column(sa.Column(name, sa.String(length=length), nullable=True))
        for name, default in FLAGS:
            ambassador.add_column(
                sa.Column(
                    name,
                    sa.Boolean(),
                    nullable=False,
                    server_default=sa.true() if default else sa.false(),
                )
            )
        ambassador.add_column(sa.Column("id_brand_user", sa.Integer(), nullable=True))
        ambassador.create_foreign_key(
            op.f("fk_ambassador_id_brand_user_ambassador"),
            "ambassador",
            ["id_brand_user"],
            ["id_ambassador"],
        )
        ambassador.create_index(op.f("ix_ambassador_id_brand_user"), ["id_brand_user"])
        ambassador.add_column(sa.Column("brand_user_email", sa.String(320), nullable=True))
        ambassador.create_index(op.f("ix_ambassador_brand_user_email"), ["brand_user_email"])


def downgrade() -> None:
    with op.batch_alter_table("ambassador") as ambassador:
        ambassador.drop_index(op.f("ix_ambassador_brand_user_email"))
        ambassador.drop_column("brand_user_email")
        ambassador.drop_index(op.f("ix_ambassador_id_brand_user"))
        ambassador.drop_constraint(
            op.f("fk_ambassador_id_brand_user_ambassador"), type_="foreignkey"
        )
        ambassador.drop_column("id_brand_user")
        for name, _ in reversed(FLAGS):
            ambassador.drop_column(name)
        for name, _ in reversed(TEXTS):
            ambassador.drop_column(name)
