"""facet counts: the whole index's count of every facet value, kept in step by the index writers

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_facet_counts",
        sa.Column("pair", sa.String(), primary_key=True),
        sa.Column("n", sa.BigInteger(), nullable=False),
    )
    bind = op.get_bind()
    table = "search_documents" if bind.dialect.name == "postgresql" else "search_meta"
    from sqlmodel import Session

    from registry.search import counts

    strings = [row[0] for row in bind.execute(sa.text(f"SELECT facets FROM {table}"))]
    counts.rebuild(Session(bind=bind), strings)


def downgrade() -> None:
    op.drop_table("search_facet_counts")
