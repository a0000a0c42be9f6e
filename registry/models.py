"""SQLModel tables and their public shapes."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

ENTRY_KINDS = ("model", "dataset", "project")
SOURCE_KINDS = ("git", "page", "list")
FACETS = ("kind", "license", "language", "task", "region", "framework")
ROLES = ("user", "moderator", "admin")


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(timezone.utc)


def _json(default=None):
    return Field(default_factory=default or dict, sa_column=Column(JSON, nullable=False))


# --- entries -------------------------------------------------------------------------

class EntryBase(SQLModel):
    kind: str = Field(default="project", max_length=16)
    name: str = Field(max_length=300)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    language: Optional[str] = Field(default=None, max_length=35)
    license: Optional[str] = Field(default=None, max_length=200)
    region: Optional[str] = Field(default=None, max_length=8)
    homepage: Optional[str] = Field(default=None, max_length=2000)
    version: Optional[str] = Field(default=None, max_length=100)


class Entry(EntryBase, table=True):
    __tablename__ = "entries"

    id: Optional[int] = Field(default=None, primary_key=True)
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
    harvested_values: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    warnings: list = _json(list)
    source_url: Optional[str] = Field(default=None, max_length=2000)
    head_commit: Optional[str] = Field(default=None, max_length=64)
    revision: int = Field(default=0)
    hidden: bool = Field(default=False)
    hidden_reason: Optional[str] = Field(default=None, max_length=500)
    deleted_at: Optional[datetime] = None
    submitted_by_id: Optional[int] = Field(default=None)  # users.id; kept when the account is deleted
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

    id: Optional[int] = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    lang: str = Field(max_length=35)
    name: str = Field(default="", max_length=300)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    origin: str = Field(default="harvested", max_length=16)  # harvested | community | maintainer
    origin_file: Optional[str] = Field(default=None, max_length=300)
    reviewed_by: Optional[str] = Field(default=None, max_length=80)
    updated_at: datetime = Field(default_factory=utcnow)


class Relation(SQLModel, table=True):
    __tablename__ = "relations"
    __table_args__ = (UniqueConstraint("entry_id", "type", "target"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    type: str = Field(max_length=32)
    target: str = Field(max_length=300, index=True)
    target_id: Optional[int] = Field(default=None, foreign_key="entries.id", ondelete="SET NULL")


# --- sources and runs ----------------------------------------------------------------

class Source(SQLModel, table=True):
    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("kind", "url"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)
    url: str = Field(max_length=2000)
    entry_id: Optional[int] = Field(default=None, foreign_key="entries.id", index=True, ondelete="SET NULL")
    schedule_hours: int = Field(default=24)
    last_commit: Optional[str] = Field(default=None, max_length=64)
    etag: Optional[str] = Field(default=None, max_length=300)
    consecutive_failures: int = Field(default=0)
    last_error: Optional[str] = Field(default=None, sa_column=Column(Text))
    last_harvested_at: Optional[datetime] = None
    next_due_at: Optional[datetime] = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class HarvestRun(SQLModel, table=True):
    __tablename__ = "harvest_runs"

    id: Optional[int] = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id", index=True, ondelete="CASCADE")
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: Optional[datetime] = None
    outcome: str = Field(max_length=16)
    commit: Optional[str] = Field(default=None, max_length=64)
    changes: list = _json(list)
    warnings: list = _json(list)
    error: Optional[str] = Field(default=None, sa_column=Column(Text))


class Revision(SQLModel, table=True):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Optional[int] = Field(default=None, primary_key=True)
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

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True, index=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=200)
    role: str = Field(default="user", max_length=16)
    display_name: Optional[str] = Field(default=None, max_length=100)
    preferred_language: Optional[str] = Field(default=None, max_length=35)
    created_at: datetime = Field(default_factory=utcnow)
    #: Set when the account is deleted: the row stays as a tombstone so contributions keep an author.
    deleted_at: Optional[datetime] = None


class ApiToken(SQLModel, table=True):
    """An API token; only its SHA-256 is stored (the token itself is shown once)."""

    __tablename__ = "api_tokens"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    scope: str = Field(default="read", max_length=8)  # read | write
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: Optional[datetime] = None
    last_used_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None


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

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    verified_at: Optional[datetime] = None


class Proposal(SQLModel, table=True):
    """A suggested edit or translation, reviewed like a pull request."""

    __tablename__ = "proposals"

    id: Optional[int] = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    author_id: Optional[int] = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    kind: str = Field(max_length=16)  # edit | translation
    lang: Optional[str] = Field(default=None, max_length=35)
    changes: dict = _json(dict)
    base_revision: int
    status: str = Field(default="open", max_length=16, index=True)  # open | accepted | rejected | withdrawn
    reviewer_id: Optional[int] = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: Optional[datetime] = None


class PasswordReset(SQLModel, table=True):
    __tablename__ = "password_resets"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_at: Optional[datetime] = None


class PurgeRecord(SQLModel, table=True):
    """What is left after an admin's purge: that something was removed, by whom and why."""

    __tablename__ = "purge_records"

    id: Optional[int] = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200)
    actor: str = Field(max_length=80)
    reason: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utcnow)


# --- public shapes -------------------------------------------------------------------

class TranslationPublic(SQLModel):
    name: str
    summary: str
    description: str
    origin: str
    reviewed_by: Optional[str] = None


class RelationPublic(SQLModel):
    type: str
    target: str
    resolved_slug: Optional[str] = None


class EntryPublic(SQLModel):
    """An entry as the API and the pages show it (DESIGN.md's contract)."""

    slug: str
    kind: str
    name: str
    summary: str
    description: str
    language: Optional[str]
    languages: list[str]
    license: Optional[str]
    tasks: list[str]
    tags: list[str]
    frameworks: list[str]
    region: Optional[str]
    homepage: Optional[str]
    source_url: Optional[str]
    version: Optional[str]
    authors: list[dict[str, Any]]
    citation: dict[str, Any]
    translations: dict[str, TranslationPublic]
    relations: list[RelationPublic]
    provenance: dict[str, dict[str, Any]]
    stale: bool
    revision: int
    updated_at: datetime


class EntrySummary(SQLModel):
    """An entry in a list: enough for a result row."""

    slug: str
    kind: str
    name: str
    summary: str
    language: Optional[str]
    languages: list[str]
    license: Optional[str]
    tasks: list[str]
    region: Optional[str]
    updated_at: datetime


class RunPublic(SQLModel):
    started_at: datetime
    finished_at: Optional[datetime]
    outcome: str
    commit: Optional[str]
    changes: list[str]
    warnings: list[str]
    error: Optional[str]


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

    id: Optional[int] = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id", index=True, ondelete="CASCADE")
    delivery_id: str = Field(max_length=200)
    received_at: datetime = Field(default_factory=utcnow, index=True)


class ErrorDetail(SQLModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorEnvelope(SQLModel):
    """Every API error: `{"error": {"code", "message", "details"}}`."""

    error: ErrorDetail


class EntryList(SQLModel):
    items: list[EntrySummary]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]


class EntryPatch(SQLModel):
    """A direct edit: any editable fields, the revision the edit is based on, and a reason."""

    base_revision: Optional[int] = None
    reason: Optional[str] = None
    kind: Optional[str] = None
    name: Optional[str] = None
    summary: Optional[str] = None
    description: Optional[str] = None
    language: Optional[str] = None
    languages: Optional[list[str]] = None
    license: Optional[str] = None
    tasks: Optional[list[str]] = None
    tags: Optional[list[str]] = None
    frameworks: Optional[list[str]] = None
    region: Optional[str] = None
    homepage: Optional[str] = None
    version: Optional[str] = None


class EntryRegister(SQLModel):
    source_url: str


class HideRequest(SQLModel):
    reason: str = ""


class RevertRequest(SQLModel):
    revision: int
    base_revision: Optional[int] = None
    reason: Optional[str] = None


class ProposalCreate(SQLModel):
    """An edit proposal (`changes`) or a translation (`lang` with name/summary/description)."""

    base_revision: Optional[int] = None
    changes: Optional[dict[str, Any]] = None
    note: Optional[str] = None
    lang: Optional[str] = None
    name: Optional[str] = None
    summary: Optional[str] = None
    description: Optional[str] = None


class ProposalCreated(SQLModel):
    id: Optional[int] = None
    status: Optional[str] = None
    published: Optional[bool] = None
    lang: Optional[str] = None


class ProposalDecision(SQLModel):
    note: Optional[str] = None


class ProposalPublic(SQLModel):
    id: int
    slug: str
    entry_name: str
    kind: str
    lang: Optional[str]
    changes: dict[str, Any]
    original: dict[str, Any]
    base_revision: int
    status: str
    author: Optional[str]
    reviewer: Optional[str]
    note: str
    created_at: datetime
    decided_at: Optional[datetime]


class ProposalList(SQLModel):
    items: list[ProposalPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]


class RevisionPublic(SQLModel):
    revision: int
    author: str
    reason: str
    changes: list[str]
    created_at: datetime
    snapshot: dict[str, Any]


class RevisionList(SQLModel):
    items: list[RevisionPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]


class TokenCreate(SQLModel):
    scope: Optional[str] = "read"
    name: Optional[str] = ""


class TokenPublic(SQLModel):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: Optional[datetime]
    last_used_at: Optional[datetime]


class TokenCreated(TokenPublic):
    token: str


class TokenList(SQLModel):
    items: list[TokenPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]


class MePublic(SQLModel):
    name: str
    display_name: Optional[str]
    role: str
    preferred_language: Optional[str]
    token_scope: Optional[str]


class TranslationList(SQLModel):
    slug: str
    language: Optional[str]
    translations: dict[str, TranslationPublic]


class JobPublic(SQLModel):
    """A queued job — a harvest, or a submission's preview or registration — and where it stands."""

    id: str
    kind: str  # harvest | preview | submission
    status: str  # queued | running | done | failed
    url: str  # GET it to follow the job
    outcome: Optional[str] = None  # once done: created | updated | unchanged | failed
    slug: Optional[str] = None
    entry_url: Optional[str] = None
    changes: list[str] = []
    error: Optional[str] = None  # why it failed, in plain words
    enqueued_at: Optional[datetime] = None
    started_at: Optional[datetime] = None
    ended_at: Optional[datetime] = None


class SourcePublic(SQLModel):
    id: int
    kind: str
    url: Optional[str]
    entry: Optional[str]
    schedule_hours: int
    last_commit: Optional[str]
    consecutive_failures: int
    last_error: Optional[str]
    last_harvested_at: Optional[datetime]
    next_due_at: Optional[datetime]
    has_webhook_secret: bool
    #: Its latest harvest job when harvests are queued (Redis); null otherwise.
    job: Optional[JobPublic] = None


class SourceList(SQLModel):
    items: list[SourcePublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]


class RunList(SQLModel):
    items: list[RunPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]


class HarvestOutcome(SQLModel):
    """What a harvest (a re-harvest, a push) did, or `queued` with its job when a worker will do it."""

    outcome: str  # created | updated | unchanged | failed | queued
    slug: Optional[str] = None
    changes: list[str] = []
    warnings: list[str] = []
    error: Optional[str] = None
    job_id: Optional[str] = None


class HookSecret(SQLModel):
    source_id: int
    secret: str


class HookResult(SQLModel):
    """The answer to a push event."""

    status: str  # harvested | queued | ignored
    delivery_id: Optional[str] = None
    source_id: Optional[int] = None
    harvest: Optional[HarvestOutcome] = None


# --- communities and collections (issue 6) ---------------------------------------------

COMMUNITY_ROLES = ("member", "curator", "admin")
COLLECTION_VISIBILITY = ("public", "unlisted")


class Community(SQLModel, table=True):
    """A regional or language community: members with roles curate collections together."""

    __tablename__ = "communities"

    id: Optional[int] = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    #: The language name and description are written in (BCP-47).
    language: Optional[str] = Field(default=None, max_length=35)
    #: Free text as people name it ("Kenya, Tanzania"): communities cross borders.
    region: str = Field(default="", max_length=200)
    languages: list = _json(list)
    created_by_id: Optional[int] = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
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
    decided_at: Optional[datetime] = None
    decided_by_id: Optional[int] = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


class Collection(SQLModel, table=True):
    """A curated, ordered list of entries owned by a community, a person or the site."""

    __tablename__ = "collections"

    id: Optional[int] = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True, index=True)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    language: Optional[str] = Field(default=None, max_length=35)
    region: Optional[str] = Field(default=None, max_length=8)
    community_id: Optional[int] = Field(default=None, foreign_key="communities.id", index=True,
                                        ondelete="SET NULL")
    owner_id: Optional[int] = Field(default=None, foreign_key="users.id", index=True, ondelete="SET NULL")
    visibility: str = Field(default="public", max_length=16)  # public | unlisted
    #: The awesome-list this collection is synced from (a Source of kind "list").
    list_source_id: Optional[int] = Field(default=None, foreign_key="sources.id", ondelete="SET NULL")
    created_by: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class CollectionGroup(SQLModel, table=True):
    """A section of a collection (an awesome-list's heading)."""

    __tablename__ = "collection_groups"

    id: Optional[int] = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collections.id", index=True, ondelete="CASCADE")
    title: str = Field(max_length=300)
    position: int = Field(default=0)
    from_list: bool = Field(default=False)


class CollectionItem(SQLModel, table=True):
    """One item of a collection: a registered entry, or a link whose repository is not harvested yet."""

    __tablename__ = "collection_items"

    id: Optional[int] = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collections.id", index=True, ondelete="CASCADE")
    group_id: Optional[int] = Field(default=None, foreign_key="collection_groups.id", ondelete="SET NULL")
    position: int = Field(default=0)
    entry_id: Optional[int] = Field(default=None, foreign_key="entries.id", index=True, ondelete="SET NULL")
    #: A pending source: the repository an awesome-list links to, waiting for its first harvest.
    source_id: Optional[int] = Field(default=None, foreign_key="sources.id", ondelete="SET NULL")
    url: Optional[str] = Field(default=None, max_length=2000)
    title: str = Field(default="", max_length=300)
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    #: True for items a list sync manages; a re-sync never touches the others.
    from_list: bool = Field(default=False)
    added_by: str = Field(default="", max_length=80)
    created_at: datetime = Field(default_factory=utcnow)


class CollectionTranslation(SQLModel, table=True):
    __tablename__ = "collection_translations"
    __table_args__ = (UniqueConstraint("collection_id", "lang"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collections.id", index=True, ondelete="CASCADE")
    lang: str = Field(max_length=35)
    title: str = Field(default="", max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    origin: str = Field(default="community", max_length=16)  # community | curator
    reviewed_by: Optional[str] = Field(default=None, max_length=80)
    updated_at: datetime = Field(default_factory=utcnow)


class CollectionProposal(SQLModel, table=True):
    """A translation of a collection's title and description, waiting for a curator's review."""

    __tablename__ = "collection_proposals"

    id: Optional[int] = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collections.id", index=True, ondelete="CASCADE")
    author_id: Optional[int] = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    lang: str = Field(max_length=35)
    changes: dict = _json(dict)
    status: str = Field(default="open", max_length=16, index=True)  # open | accepted | rejected
    reviewer_id: Optional[int] = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    note: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: Optional[datetime] = None


# Public shapes of communities and collections (what the API answers and takes).

class CommunityPublic(SQLModel):
    slug: str
    name: str
    description: str
    language: Optional[str]
    region: str
    languages: list[str]
    member_count: int
    created_at: datetime


class CommunityMemberPublic(SQLModel):
    name: str
    display_name: str
    role: str


class CommunityDetail(CommunityPublic):
    members: list[CommunityMemberPublic]


class CommunityList(SQLModel):
    items: list[CommunityPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]


class CollectionOwner(SQLModel):
    type: str  # community | user | site
    slug: Optional[str] = None
    name: Optional[str] = None
    display_name: Optional[str] = None


class CollectionTranslationPublic(SQLModel):
    title: str
    description: str
    origin: str  # community | curator
    reviewed_by: Optional[str] = None


class CollectionPublic(SQLModel):
    """A collection; ``title`` and ``description`` are in ``shown_language`` (see ``?lang=``)."""

    slug: str
    title: str
    description: str
    language: Optional[str]
    shown_language: Optional[str]
    region: Optional[str]
    visibility: str
    owner: CollectionOwner
    translations: dict[str, CollectionTranslationPublic]
    list_source: Optional[str]
    item_count: int
    created_at: datetime
    updated_at: datetime


class CollectionGroupPublic(SQLModel):
    id: int
    title: str
    position: int
    from_list: bool


class CollectionItemPublic(SQLModel):
    """An entry of a collection, or a link whose repository is not registered yet (``pending``)."""

    id: int
    position: int
    group: Optional[str]
    slug: Optional[str]
    entry: Optional[EntrySummary]
    url: Optional[str]
    title: str
    note: str
    pending: bool
    from_list: bool
    added_at: datetime


class CollectionDetail(CollectionPublic):
    groups: list[CollectionGroupPublic]
    items: list[CollectionItemPublic]


class CollectionList(SQLModel):
    items: list[CollectionPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]


class CollectionProposalPublic(SQLModel):
    id: int
    collection: str
    lang: str
    title: str
    description: str
    original_title: str
    original_description: str
    status: str
    author: Optional[str]
    reviewer: Optional[str]
    note: str
    created_at: datetime


class CollectionProposalList(SQLModel):
    items: list[CollectionProposalPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]


class CollectionSyncResult(SQLModel):
    outcome: str
    collection: Optional[str]
    added: int
    removed: int
    updated: int
    pending: int
    warnings: list[str]
    error: Optional[str]


class CollectionTranslationCreated(SQLModel):
    """``status`` is "published" (a curator's translation) or "open" (a proposal, with its ``id``)."""

    status: str
    lang: str
    id: Optional[int] = None


class JoinRequested(SQLModel):
    status: str


class CollectionCreate(SQLModel):
    title: str
    slug: Optional[str] = None
    description: Optional[str] = None
    language: Optional[str] = None
    community: Optional[str] = None
    visibility: Optional[str] = None
    region: Optional[str] = None


class CollectionPatch(SQLModel):
    title: Optional[str] = None
    description: Optional[str] = None
    language: Optional[str] = None
    visibility: Optional[str] = None
    region: Optional[str] = None


class CollectionItemCreate(SQLModel):
    entry: str
    note: Optional[str] = None
    group: Optional[str] = None


class CollectionItemPatch(SQLModel):
    note: Optional[str] = None
    group: Optional[str] = None


class CollectionOrder(SQLModel):
    items: list[int]


class CollectionSyncRequest(SQLModel):
    source: str


class CollectionTranslationCreate(SQLModel):
    lang: str
    title: str
    description: Optional[str] = None


class CommunityCreate(SQLModel):
    name: str
    slug: Optional[str] = None
    description: Optional[str] = None
    region: Optional[str] = None
    languages: Optional[list[str]] = None
    language: Optional[str] = None


class CommunityPatch(SQLModel):
    name: Optional[str] = None
    description: Optional[str] = None
    region: Optional[str] = None
    languages: Optional[list[str]] = None
    language: Optional[str] = None


class JoinRequest(SQLModel):
    message: Optional[str] = None


class MemberDecision(SQLModel):
    """Either ``accept`` (a join request) or ``role`` (member, curator, admin)."""

    accept: Optional[bool] = None
    role: Optional[str] = None


# --- harvest details (issue 3) ----------------------------------------------------------

class EntryDetails(SQLModel, table=True):
    """What a harvest read beyond an entry's fields: ``model-index`` results, ``size_categories``,
    sub-model cards, data files… each ``{"value", "origin"}``. Harvested facts only; never edited."""

    __tablename__ = "entry_details"

    entry_id: int = Field(foreign_key="entries.id", primary_key=True, ondelete="CASCADE")
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
