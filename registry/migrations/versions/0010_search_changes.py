"""search index changes: a counter and the changed entries, so each process's in-memory copy stays in step

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

import time

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_index_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("reset_generation", sa.BigInteger(), nullable=False),
    )
    # Started from the clock, not 1: a copy in a running process made before this table was
    # dropped and made again must never mistake the new numbers for the ones it has seen.
    start = time.time_ns() // 1000
    op.execute(f"INSERT INTO search_index_state (id, generation, reset_generation) VALUES (1, {start}, {start})")
    op.create_table(
        "search_index_changes",
        sa.Column("generation", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
    )
    op.create_index("ix_search_index_changes_generation", "search_index_changes", ["generation"])


def downgrade() -> None:
    op.drop_index("ix_search_index_changes_generation", table_name="search_index_changes")
    op.drop_table("search_index_changes")
    op.drop_table("search_index_state")
