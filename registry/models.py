"""SQLModel tables: what the registry stores (the shapes the API shows and accepts are in schemas.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlalchemy.orm import QueryableAttribute
from sqlmodel import Field, SQLModel

ENTRY_KINDS = ("model", "dataset", "project")
SOURCE_KINDS = ("git", "page", "list")
FACETS = ("kind", "license", "language", "task", "region", "framework")
ROLES = ("user", "moderator", "admin")


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


def attributes(*columns: object) -> list[QueryableAttribute[Any]]:
    """Return model columns as the ORM attributes they are, for load_only()."""
    # SQLModel types a column by its value (int, str); sqlmodel's col() gives a Mapped, which
    # load_only() does not take either. The class attribute is an ORM attribute at run time.
    return [cast(QueryableAttribute[Any], c) for c in columns]


def _empty_list() -> list:
    return []


def _empty_dict() -> dict:
    return {}


def _json(default=None):
    # A plain function, not the builtin list/dict: pydantic inspects a default factory's
    # signature on every instance it makes, and for a builtin type that takes 15 times longer.
    factory = {list: _empty_list, dict: _empty_dict, None: _empty_dict}.get(default, default)
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=False))


# --- entries -------------------------------------------------------------------------


class EntryBase(SQLModel):
    kind: str = Field(default="project", max_length=16)
    name: str = Field(max_length=300)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    language: str | None = Field(default=None, max_length=35)
    license: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, max_length=8)
    homepage: str | None = Field(default=None, max_length=2000)
    version: str | None = Field(default=None, max_length=100)


class Entry(EntryBase, table=True):
    __tablename__ = "entries"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200, unique=True, index=True)
    languages: list = _json(list)
    tasks: list = _json(list)
    tags: list = _json(list)
    frameworks: list = _json(list)
    authors: list = _json(list)
    citation: dict = _json(dict)
    provenance: dict = _json(dict)
    #: field -> {"value", "origin", "commit"}: what the last harvest said for fields a person
    #: has locked by editing them, so unlocking brings the harvested value back.
    harvested_values: dict = Field(
        default_factory=_empty_dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    warnings: list = _json(list)
    source_url: str | None = Field(default=None, max_length=2000)
    head_commit: str | None = Field(default=None, max_length=64)
    revision: int = Field(default=0)
    hidden: bool = Field(default=False)
    hidden_reason: str | None = Field(default=None, max_length=500)
    deleted_at: datetime | None = None
    submitted_by_id: int | None = Field(default=None)  # users.id; kept when the account is deleted
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class FacetValue(SQLModel, table=True):
    """One (entry, facet, value) row, so facet counts are a GROUP BY on any database."""

    __tablename__ = "facet_values"
    __table_args__ = (Index("ix_facet_values_facet_value", "facet", "value"),)

    entry_id: int = Field(foreign_key="entries.id", primary_key=True, ondelete="CASCADE")
    facet: str = Field(primary_key=True, max_length=16)
    value: str = Field(primary_key=True, max_length=200)


class Translation(SQLModel, table=True):
    __tablename__ = "translations"
    __table_args__ = (UniqueConstraint("entry_id", "lang"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    lang: str = Field(max_length=35)
    name: str = Field(default="", max_length=300)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    origin: str = Field(default="harvested", max_length=16)  # harvested | community | maintainer
    origin_file: str | None = Field(default=None, max_length=300)
    reviewed_by: str | None = Field(default=None, max_length=80)
    updated_at: datetime = Field(default_factory=utcnow)


class RenderedText(SQLModel, table=True):
    """An entry's description (``lang`` "") or one of its translations' (``lang`` its tag), rendered to safe
    HTML when it was written, so that a page shows it without rendering it again."""

    __tablename__ = "rendered_texts"

    entry_id: int = Field(foreign_key="entries.id", primary_key=True, ondelete="CASCADE")
    lang: str = Field(primary_key=True, max_length=35)
    html: str = Field(sa_column=Column(Text, nullable=False))
    #: The renderer's version (rendering.RENDERER_VERSION) that wrote ``html``; another one renders again.
    renderer: int


class Relation(SQLModel, table=True):
    __tablename__ = "relations"
    __table_args__ = (UniqueConstraint("entry_id", "type", "target"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    type: str = Field(max_length=32)
    target: str = Field(max_length=300, index=True)
    target_id: int | None = Field(default=None, foreign_key="entries.id", ondelete="SET NULL")


# --- sources and runs ----------------------------------------------------------------


class Source(SQLModel, table=True):
    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("kind", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    url: str = Field(max_length=2000)
    entry_id: int | None = Field(default=None, foreign_key="entries.id", index=True, ondelete="SET NULL")
    schedule_hours: int = Field(default=24)
    last_commit: str | None = Field(default=None, max_length=64)
    etag: str | None = Field(default=None, max_length=300)
    consecutive_failures: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    last_harvested_at: datetime | None = None
    next_due_at: datetime | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class HarvestRun(SQLModel, table=True):
    __tablename__ = "harvest_runs"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id", index=True, ondelete="CASCADE")
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    outcome: str = Field(max_length=16)
    commit: str | None = Field(default=None, max_length=64)
    changes: list = _json(list)
    warnings: list = _json(list)
    error: str | None = Field(default=None, sa_column=Column(Text))


class Revision(SQLModel, table=True):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    number: int
    author: str = Field(max_length=80)  # a user name, or "harvester"
    reason: str = Field(default="", max_length=500)
    changes: list = _json(list)
    snapshot: dict = _json(dict)
    created_at: datetime = Field(default_factory=utcnow)


# --- people --------------------------------------------------------------------------


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True, index=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=200)
    role: str = Field(default="user", max_length=16)
    display_name: str | None = Field(default=None, max_length=100)
    preferred_language: str | None = Field(default=None, max_length=35)
    created_at: datetime = Field(default_factory=utcnow)
    #: Set when the account is deleted: the row stays as a tombstone so contributions keep an author.
    deleted_at: datetime | None = None


class ApiToken(SQLModel, table=True):
    """An API token; only its SHA-256 is stored (the token itself is shown once)."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    scope: str = Field(default="read", max_length=8)  # read | write
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class Maintainer(SQLModel, table=True):
    """A person who maintains an entry, verified by a claim token placed in its repository."""

    __tablename__ = "maintainers"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", primary_key=True, ondelete="CASCADE")
    verified_at: datetime = Field(default_factory=utcnow)
    via: str = Field(default="claim", max_length=16)  # claim | admin | submitter


class Claim(SQLModel, table=True):
    """A request to maintain an entry: the token, hashed, waits for the next harvest to find it."""

    __tablename__ = "claims"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    verified_at: datetime | None = None


class Proposal(SQLModel, table=True):
    """A suggested edit or translation, reviewed like a pull request."""

    __tablename__ = "proposals"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    kind: str = Field(max_length=16)  # edit | translation
    lang: str | None = Field(default=None, max_length=35)
    changes: dict = _json(dict)
    base_revision: int
    status: str = Field(default="open", max_length=16, index=True)  # open | accepted | rejected | withdrawn
    reviewer_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class PasswordReset(SQLModel, table=True):
    __tablename__ = "password_resets"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: datetime | None = None


class PurgeRecord(SQLModel, table=True):
    """What is left after an admin's purge: that something was removed, by whom and why."""

    __tablename__ = "purge_records"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200)
    actor: str = Field(max_length=80)
    reason: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)


# --- API and formats (issue 7) ---------------------------------------------------------


class SourceHook(SQLModel, table=True):
    """A source's webhook secret: push events for it must be signed with (or carry) this secret.

    Kept in plain text because an HMAC can only be checked with the secret itself; it is shown
    only to the source's maintainers and staff.
    """

    __tablename__ = "source_hooks"

    source_id: int = Field(foreign_key="sources.id", primary_key=True, ondelete="CASCADE")
    secret: str = Field(max_length=128)
    created_at: datetime = Field(default_factory=utcnow)


class HookDelivery(SQLModel, table=True):
    """A webhook delivery id already accepted, so a replayed delivery is ignored."""

    __tablename__ = "hook_deliveries"
    __table_args__ = (UniqueConstraint("source_id", "delivery_id"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id", index=True, ondelete="CASCADE")
    delivery_id: str = Field(max_length=200)
    received_at: datetime = Field(default_factory=utcnow, index=True)


# --- communities and collections (issue 6) ---------------------------------------------

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


# --- harvest details (issue 3) ----------------------------------------------------------


class EntryDetails(SQLModel, table=True):
    """What a harvest read beyond an entry's fields: ``model-index`` results, ``size_categories``,
    sub-model cards, data files… each ``{"value", "origin"}``. Harvested facts only; never edited."""

    __tablename__ = "entry_details"

    entry_id: int = Field(foreign_key="entries.id", primary_key=True, ondelete="CASCADE")
    data: dict = Field(default_factory=_empty_dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
