"""rendered texts: each description rendered to safe HTML when it is written, not on every page view

The descriptions already stored are rendered here, in batches; from then on every write keeps
its row in step (services/rendered.py). A description without a row (or with one from an older
renderer) is rendered when its page is shown, as before.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade() -> None:
    op.create_table(
        "rendered_texts",
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("lang", sa.String(length=35), primary_key=True),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("renderer", sa.Integer(), nullable=False),
    )
    from registry.rendering import RENDERER_VERSION, render_markdown

    bind = op.get_bind()
    table = sa.table(
        "rendered_texts", sa.column("entry_id"), sa.column("lang"), sa.column("html"), sa.column("renderer")
    )
    # Read in batches by id, so that memory stays bounded whatever the registry's size.
    sources = (
        "SELECT id, id, '', description FROM entries WHERE description != '' AND id > :after ORDER BY id LIMIT :n",
        "SELECT id, entry_id, lang, description FROM translations WHERE description != '' AND id > :after "
        "ORDER BY id LIMIT :n",
    )
    for query in sources:
        after = 0
        while rows := bind.execute(sa.text(query), {"after": after, "n": _BATCH}).fetchall():
            bind.execute(
                table.insert(),
                [
                    {"entry_id": e, "lang": lang, "html": str(render_markdown(text)), "renderer": RENDERER_VERSION}
                    for _, e, lang, text in rows
                ],
            )
            after = rows[-1][0]


def downgrade() -> None:
    op.drop_table("rendered_texts")
