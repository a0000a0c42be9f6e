"""api: per-source webhook secrets and the delivery ids already accepted

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # New tables only, no change to existing ones: other branches from 0001 alter those.
    op.create_table(
        "source_hooks",
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "hook_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("delivery_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("source_id", "delivery_id", name="uq_hook_deliveries_source_delivery"),
    )
    op.create_index("ix_hook_deliveries_source_id", "hook_deliveries", ["source_id"])
    op.create_index("ix_hook_deliveries_received_at", "hook_deliveries", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_hook_deliveries_received_at", table_name="hook_deliveries")
    op.drop_index("ix_hook_deliveries_source_id", table_name="hook_deliveries")
    op.drop_table("hook_deliveries")
    op.drop_table("source_hooks")
