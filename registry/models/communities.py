"""Communities and the collections they curate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .common import _json, utcnow

COMMUNITY_ROLES = ("member", "curator", "admin")
COLLECTION_VISIBILITY = ("public", "unlisted")


class Community(SQLModel, table=True):
    """A regional or language community: members with roles curate collections together."""

    __tablename__ = "communities"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    #: The language name and description are written in (BCP-47).
    language: str | None = Field(default=None, max_length=35)
    #: Free text as people name it ("Kenya, Tanzania"): communities cross borders.
    region: str = Field(default="", max_length=200)
    languages: list = _json(list)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)


class CommunityMember(SQLModel, table=True):
    """A person in a community; a join request is a row with status "pending" until a curator decides."""

    __tablename__ = "community_members"

    community_id: int = Field(foreign_key="communities.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(default="member", max_length=16)  # member | curator | admin
    status: str = Field(default="pending", max_length=16, index=True)  # pending | active
    message: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class Collection(SQLModel, table=True):
    """A curated, ordered list of entries owned by a community, a person or the site."""

    __tablename__ = "collections"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    language: str | None = Field(default=None, max_length=35)
    region: str | None = Field(default=None, max_length=8)
    community_id: int | None = Field(default=None, foreign_key="communities.id", index=True, ondelete="SET NULL")
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    visibility: str = Field(default="public", max_length=16)  # public | unlisted
    #: The awesome-list this collection is synced from (a Source of kind "list").
    list_source_id: int | None = Field(default=None, foreign_key="sources.id", ondelete="SET NULL")
    created_by: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class CollectionGroup(SQLModel, table=True):
    """A section of a collection (an awesome-list's heading)."""

    __tablename__ = "collection_groups"

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collections.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    position: int = Field(default=0)
    from_list: bool = Field(default=False)


class CollectionItem(SQLModel, table=True):
    """One item of a collection: a registered entry, or a link whose repository is not harvested yet."""

    __tablename__ = "collection_items"

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collections.id", index=True, ondelete="CASCADE")
    group_id: int | None = Field(default=None, foreign_key="collection_groups.id", ondelete="SET NULL")
    position: int = Field(default=0)
    entry_id: int | None = Field(default=None, foreign_key="entries.id", index=True, ondelete="SET NULL")
    #: A pending source: the repository an awesome-list links to, waiting for its first harvest.
    source_id: int | None = Field(default=None, foreign_key="sources.id", ondelete="SET NULL")
    url: str | None = Field(default=None, max_length=2000)
    title: str = Field(default="", max_length=300)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    #: True for items a list sync manages; a re-sync never touches the others.
    from_list: bool = Field(default=False)
    added_by: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow)


class CollectionTranslation(SQLModel, table=True):
    __tablename__ = "collection_translations"
    __table_args__ = (UniqueConstraint("collection_id", "lang"),)

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collections.id", index=True, ondelete="CASCADE")
    lang: str = Field(max_length=35)
    title: str = Field(default="", max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    origin: str = Field(default="community", max_length=16)  # community | curator
    reviewed_by: str | None = Field(default=None, max_length=80)
    updated_at: datetime = Field(default_factory=utcnow)


class CollectionProposal(SQLModel, table=True):
    """A translation of a collection's title and description, waiting for a curator's review."""

    __tablename__ = "collection_proposals"

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collections.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    lang: str = Field(max_length=35)
    changes: dict = _json(dict)
    status: str = Field(default="open", max_length=16, index=True)  # open | accepted | rejected
    reviewer_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None
