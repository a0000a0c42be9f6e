"""The shapes the API and the pages show and accept: not tables (those are in models.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlmodel import SQLModel


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


class HarvestNotes(SQLModel):
    """What the entry page shows about harvesting beyond the fields."""

    details: dict[str, Any] = {}
    #: Only for the entry's maintainers and moderators (None for everyone else).
    warnings: Optional[list[str]] = None
    source_id: Optional[int] = None


class CollectionLink(SQLModel):
    slug: str
    title: str


class EntryPage(SQLModel):
    """Everything an entry's page shows, from one service call."""

    entry: EntryPublic
    #: The language version shown (the original's tag when no translation was chosen).
    shown_lang: Optional[str]
    canonical: str
    runs: list[RunPublic]
    harvest: HarvestNotes
    #: Public collections listing the entry, and those the reader may add it to.
    listed_in: list[CollectionLink]
    curatable: list[CollectionLink]
    jsonld: dict[str, Any]
    #: The citation in each of CITATION_FORMATS, keyed by format.
    citations: dict[str, str]


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
