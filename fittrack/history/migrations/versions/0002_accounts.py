"""Accounts (issue #31): users, sign-in sessions, failed sign-ins, and each workout's owner.

Revision ID: 0002_accounts
Revises: 0001_workouts
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_accounts"
down_revision = "0001_workouts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sign_in_sessions",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, index=True),
        sa.Column("client", sa.String(64), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    with op.batch_alter_table("workouts") as workouts:  # SQLite adds a foreign key by copying the table
        workouts.add_column(sa.Column("owner_id", sa.String(32), nullable=True))
        workouts.create_index("ix_workouts_owner_id", ["owner_id"])
        workouts.create_foreign_key("fk_workouts_owner_id_users", "users", ["owner_id"], ["id"], ondelete="CASCADE")


def downgrade() -> None:
    with op.batch_alter_table("workouts") as workouts:
        workouts.drop_constraint("fk_workouts_owner_id_users", type_="foreignkey")
        workouts.drop_index("ix_workouts_owner_id")
        workouts.drop_column("owner_id")
    for table in ("sign_in_failures", "sign_in_sessions", "users"):
        op.drop_table(table)
