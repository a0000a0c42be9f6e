"""communities and collections: members with roles, ordered items in groups, translations, proposals

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def _ts(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(name, target, ondelete, nullable=True):
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "communities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        _fk("created_by_id", "users.id", "SET NULL"),
        _ts("created_at", False),
    )
    op.create_index("ix_communities_slug", "communities", ["slug"], unique=True)
    op.create_table(
        "community_members",
        _fk("community_id", "communities.id", "CASCADE", nullable=False),
        _fk("user_id", "users.id", "CASCADE", nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        _ts("created_at", False),
        _ts("decided_at"),
        _fk("decided_by_id", "users.id", "SET NULL"),
        sa.PrimaryKeyConstraint("community_id", "user_id"),
    )
    op.create_index("ix_community_members_status", "community_members", ["status"])
    op.create_table(
        "collections",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=True),
        sa.Column("region", sa.String(length=8), nullable=True),
        _fk("community_id", "communities.id", "SET NULL"),
        _fk("owner_id", "users.id", "SET NULL"),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        _fk("list_source_id", "sources.id", "SET NULL"),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        _ts("created_at", False),
        _ts("updated_at", False),
    )
    op.create_index("ix_collections_slug", "collections", ["slug"], unique=True)
    op.create_index("ix_collections_community_id", "collections", ["community_id"])
    op.create_index("ix_collections_owner_id", "collections", ["owner_id"])
    op.create_index("ix_collections_updated_at", "collections", ["updated_at"])
    op.create_table(
        "collection_groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("collection_id", "collections.id", "CASCADE", nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("from_list", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_collection_groups_collection_id", "collection_groups", ["collection_id"])
    op.create_table(
        "collection_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("collection_id", "collections.id", "CASCADE", nullable=False),
        _fk("group_id", "collection_groups.id", "SET NULL"),
        sa.Column("position", sa.Integer(), nullable=False),
        _fk("entry_id", "entries.id", "SET NULL"),
        _fk("source_id", "sources.id", "SET NULL"),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("from_list", sa.Boolean(), nullable=False),
        sa.Column("added_by", sa.String(length=80), nullable=False),
        _ts("created_at", False),
    )
    op.create_index("ix_collection_items_collection_id", "collection_items", ["collection_id"])
    op.create_index("ix_collection_items_entry_id", "collection_items", ["entry_id"])
    op.create_table(
        "collection_translations",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("collection_id", "collections.id", "CASCADE", nullable=False),
        sa.Column("lang", sa.String(length=35), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("reviewed_by", sa.String(length=80), nullable=True),
        _ts("updated_at", False),
        sa.UniqueConstraint("collection_id", "lang"),
    )
    op.create_index("ix_collection_translations_collection_id", "collection_translations", ["collection_id"])
    op.create_table(
        "collection_proposals",
        sa.Column("id", sa.Integer(), primary_key=True),
        _fk("collection_id", "collections.id", "CASCADE", nullable=False),
        _fk("author_id", "users.id", "SET NULL"),
        sa.Column("lang", sa.String(length=35), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _fk("reviewer_id", "users.id", "SET NULL"),
        sa.Column("note", sa.String(length=2000), nullable=False),
        _ts("created_at", False),
        _ts("decided_at"),
    )
    op.create_index("ix_collection_proposals_collection_id", "collection_proposals", ["collection_id"])
    op.create_index("ix_collection_proposals_status", "collection_proposals", ["status"])


def downgrade() -> None:
    for table in (
        "collection_proposals",
        "collection_translations",
        "collection_items",
        "collection_groups",
        "collections",
        "community_members",
        "communities",
    ):
        op.drop_table(table)
