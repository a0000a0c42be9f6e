"""discovery: discoveries, their runs and what they found; sources learn who found them and when they went

Source kinds grow to 16 characters (``huggingface``). PostgreSQL widens the column. SQLite does not
check a VARCHAR's length, and rebuilding ``sources`` (a batch migration) would run its children's
ON DELETE CASCADE with foreign keys on, so only the declared type is rewritten in the schema, the
way SQLite's documentation allows for changes that leave the stored rows as they are.

Revision ID: 0014
Revises: 0003 (discoveries point at collections)
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "discoveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("set_spec", sa.String(200), nullable=False, server_default=""),
        sa.Column("collection_id", sa.Integer(), sa.ForeignKey("collections.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("schedule_hours", sa.Integer(), nullable=False, server_default="24"),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("pass_run_id", sa.Integer(), nullable=True),
        sa.Column("pages", sa.JSON(), nullable=False),
        sa.Column("watermark", sa.String(64), nullable=True),
        sa.Column("last_status", sa.String(16), nullable=True),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("kind", "target", "set_spec"),
    )
    op.create_index("ix_discoveries_collection_id", "discoveries", ["collection_id"])
    op.create_index("ix_discoveries_next_due_at", "discoveries", ["next_due_at"])
    op.create_table(
        "discovery_runs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("discovery_id", sa.Integer(), sa.ForeignKey("discoveries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False, server_default="0")
            for name in ("found", "new", "known", "gone", "skipped", "pages", "unchanged_pages", "requests")
        ),
        sa.Column("reason", sa.Text(), nullable=True),
    )
    op.create_index("ix_discovery_runs_discovery_id", "discovery_runs", ["discovery_id"])
    op.create_table(
        "discovered_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("discovery_id", sa.Integer(), sa.ForeignKey("discoveries.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("source_id", sa.Integer(), sa.ForeignKey("sources.id", ondelete="SET NULL"), nullable=True),
        sa.Column("page", sa.String(40), nullable=False, server_default=""),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_run_id", sa.Integer(), nullable=True),
        sa.Column("missed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("gone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review", sa.String(16), nullable=True),
        sa.UniqueConstraint("discovery_id", "key"),
    )
    for column in ("discovery_id", "source_id", "page", "seen_run_id"):
        op.create_index(f"ix_discovered_items_{column}", "discovered_items", [column])
    # Plain ADD COLUMN on both databases: no rebuild of sources (see the module's note). No foreign
    # key on discovered_by_id: discoveries -> collections -> sources would make a cycle.
    op.add_column("sources", sa.Column("discovered_by_id", sa.Integer(), nullable=True))
    op.add_column("sources", sa.Column("gone_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_sources_discovered_by_id", "sources", ["discovered_by_id"])
    _kind_length(8, 16)


def _kind_length(old: int, new: int) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.alter_column("sources", "kind", type_=sa.String(new), existing_type=sa.String(old), existing_nullable=False)
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar() or 0
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql(
        f"UPDATE sqlite_master SET sql = replace(sql, 'kind VARCHAR({old:d})', 'kind VARCHAR({new:d})') "
        "WHERE type = 'table' AND name = 'sources'"
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def downgrade() -> None:
    _kind_length(16, 8)
    op.drop_index("ix_sources_discovered_by_id", "sources")
    op.drop_column("sources", "gone_at")
    op.drop_column("sources", "discovered_by_id")
    op.drop_table("discovered_items")
    op.drop_table("discovery_runs")
    op.drop_table("discoveries")
