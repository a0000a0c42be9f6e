"""search staged: documents a bulk load has built, kept until the load's end writes the index once

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The columns of a document as it travels between processes (registry/search/documents.py):
    # one text per field, then what the index keeps beside the text.
    op.create_table(
        "search_staged",
        sa.Column("entry_id", sa.Integer(), primary_key=True, autoincrement=False),
        *(sa.Column(name, sa.Text(), nullable=False) for name in ("name", "tags", "langs", "summary", "description")),
        sa.Column("name_keys", sa.Text(), nullable=False),
        sa.Column("facets", sa.Text(), nullable=False),
        sa.Column("boost", sa.Float(), nullable=False),
        sa.Column("updated_epoch", sa.Float(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("search_staged")
