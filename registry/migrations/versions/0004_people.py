"""people: tokens, maintainers, claims, proposals, password resets, purges

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # Plain ADD COLUMN, no table rebuild: other branches may keep triggers on these tables.
    with op.batch_alter_table("entries", recreate="never") as batch:
        batch.add_column(sa.Column("hidden_reason", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("submitted_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("harvested_values", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.add_column(_ts("deleted_at"))

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        _ts("created_at", False),
        _ts("expires_at"),
        _ts("last_used_at"),
        _ts("revoked_at"),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "maintainers",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        _ts("verified_at", False),
        sa.Column("via", sa.String(length=16), nullable=False),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        _ts("created_at", False),
        _ts("expires_at", False),
        _ts("verified_at"),
    )
    op.create_index("ix_claims_user_id", "claims", ["user_id"])
    op.create_index("ix_claims_entry_id", "claims", ["entry_id"])
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("entries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("lang", sa.String(length=35), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("base_revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=False),
        _ts("created_at", False),
        _ts("decided_at"),
    )
    op.create_index("ix_proposals_entry_id", "proposals", ["entry_id"])
    op.create_index("ix_proposals_status", "proposals", ["status"])
    op.create_table(
        "password_resets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        _ts("created_at", False),
        _ts("expires_at", False),
        _ts("used_at"),
    )
    op.create_index("ix_password_resets_user_id", "password_resets", ["user_id"])
    op.create_table(
        "purge_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        _ts("created_at", False),
    )


def downgrade() -> None:
    for table in ("purge_records", "password_resets", "proposals", "claims", "maintainers", "api_tokens"):
        op.drop_table(table)
    # Plain DROP COLUMN (SQLite 3.35+), never a table rebuild: rebuilding `entries` drops and
    # re-creates it, and with foreign keys on, dropping it deletes every revision, facet row and
    # search row that points at it (here SQLite even refuses: "database table is locked").
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.drop_column("deleted_at")
    with op.batch_alter_table("entries", recreate="never") as batch:
        batch.drop_column("harvested_values")
        batch.drop_column("submitted_by_id")
        batch.drop_column("hidden_reason")
