"""name order: an index on lower(name), id, so a page sorted by name walks it instead of sorting every match

Revision ID: 0012
Revises: 0001
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entries_name_order", "entries", [sa.text("lower(name)"), "id"])


def downgrade() -> None:
    op.drop_index("ix_entries_name_order", table_name="entries")
