"""The shapes the API and the pages show and accept: not tables (those are in models.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import SQLModel


class TranslationPublic(SQLModel):
    name: str
    summary: str
    description: str
    origin: str
    reviewed_by: str | None = None


class RelationPublic(SQLModel):
    type: str
    target: str
    resolved_slug: str | None = None


class EntryPublic(SQLModel):
    """An entry as the API and the pages show it (DESIGN.md's contract)."""

    slug: str
    kind: str
    name: str
    summary: str
    description: str
    language: str | None
    languages: list[str]
    license: str | None
    tasks: list[str]
    tags: list[str]
    frameworks: list[str]
    region: str | None
    homepage: str | None
    source_url: str | None
    version: str | None
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
    language: str | None
    languages: list[str]
    license: str | None
    tasks: list[str]
    region: str | None
    updated_at: datetime


class RunPublic(SQLModel):
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    commit: str | None
    changes: list[str]
    warnings: list[str]
    error: str | None


class HarvestNotes(SQLModel):
    """What the entry page shows about harvesting beyond the fields."""

    details: dict[str, Any] = {}
    #: Only for the entry's maintainers and moderators (None for everyone else).
    warnings: list[str] | None = None
    source_id: int | None = None


class CollectionLink(SQLModel):
    slug: str
    title: str


class EntryPage(SQLModel):
    """Everything an entry's page shows, from one service call."""

    entry: EntryPublic
    #: The language version shown (the original's tag when no translation was chosen).
    shown_lang: str | None
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

    base_revision: int | None = None
    reason: str | None = None
    kind: str | None = None
    name: str | None = None
    summary: str | None = None
    description: str | None = None
    language: str | None = None
    languages: list[str] | None = None
    license: str | None = None
    tasks: list[str] | None = None
    tags: list[str] | None = None
    frameworks: list[str] | None = None
    region: str | None = None
    homepage: str | None = None
    version: str | None = None


class EntryRegister(SQLModel):
    source_url: str


class HideRequest(SQLModel):
    reason: str = ""


class RevertRequest(SQLModel):
    revision: int
    base_revision: int | None = None
    reason: str | None = None


class ProposalCreate(SQLModel):
    """An edit proposal (`changes`) or a translation (`lang` with name/summary/description)."""

    base_revision: int | None = None
    changes: dict[str, Any] | None = None
    note: str | None = None
    lang: str | None = None
    name: str | None = None
    summary: str | None = None
    description: str | None = None


class ProposalCreated(SQLModel):
    id: int | None = None
    status: str | None = None
    published: bool | None = None
    lang: str | None = None


class ProposalDecision(SQLModel):
    note: str | None = None


class ProposalPublic(SQLModel):
    id: int
    slug: str
    entry_name: str
    kind: str
    lang: str | None
    changes: dict[str, Any]
    original: dict[str, Any]
    base_revision: int
    status: str
    author: str | None
    reviewer: str | None
    note: str
    created_at: datetime
    decided_at: datetime | None


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
    scope: str | None = "read"
    name: str | None = ""


class TokenPublic(SQLModel):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


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
    display_name: str | None
    role: str
    preferred_language: str | None
    token_scope: str | None


class TranslationList(SQLModel):
    slug: str
    language: str | None
    translations: dict[str, TranslationPublic]


class JobPublic(SQLModel):
    """A queued job — a harvest, or a submission's preview or registration — and where it stands."""

    id: str
    kind: str  # harvest | preview | submission
    status: str  # queued | running | done | failed
    url: str  # GET it to follow the job
    outcome: str | None = None  # once done: created | updated | unchanged | failed
    slug: str | None = None
    entry_url: str | None = None
    changes: list[str] = []
    error: str | None = None  # why it failed, in plain words
    enqueued_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


class SourcePublic(SQLModel):
    id: int
    kind: str
    url: str | None
    entry: str | None
    schedule_hours: int
    last_commit: str | None
    consecutive_failures: int
    last_error: str | None
    last_harvested_at: datetime | None
    next_due_at: datetime | None
    has_webhook_secret: bool
    #: Its latest harvest job when harvests are queued (Redis); null otherwise.
    job: JobPublic | None = None


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
    slug: str | None = None
    changes: list[str] = []
    warnings: list[str] = []
    error: str | None = None
    job_id: str | None = None


class HookSecret(SQLModel):
    source_id: int
    secret: str


class HookResult(SQLModel):
    """The answer to a push event."""

    status: str  # harvested | queued | ignored
    delivery_id: str | None = None
    source_id: int | None = None
    harvest: HarvestOutcome | None = None


class CommunityPublic(SQLModel):
    slug: str
    name: str
    description: str
    language: str | None
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
    slug: str | None = None
    name: str | None = None
    display_name: str | None = None


class CollectionTranslationPublic(SQLModel):
    title: str
    description: str
    origin: str  # community | curator
    reviewed_by: str | None = None


class CollectionPublic(SQLModel):
    """A collection; ``title`` and ``description`` are in ``shown_language`` (see ``?lang=``)."""

    slug: str
    title: str
    description: str
    language: str | None
    shown_language: str | None
    region: str | None
    visibility: str
    owner: CollectionOwner
    translations: dict[str, CollectionTranslationPublic]
    list_source: str | None
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
    group: str | None
    slug: str | None
    entry: EntrySummary | None
    url: str | None
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
    author: str | None
    reviewer: str | None
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
    collection: str | None
    added: int
    removed: int
    updated: int
    pending: int
    warnings: list[str]
    error: str | None


class CollectionTranslationCreated(SQLModel):
    """``status`` is "published" (a curator's translation) or "open" (a proposal, with its ``id``)."""

    status: str
    lang: str
    id: int | None = None


class JoinRequested(SQLModel):
    status: str


class CollectionCreate(SQLModel):
    title: str
    slug: str | None = None
    description: str | None = None
    language: str | None = None
    community: str | None = None
    visibility: str | None = None
    region: str | None = None


class CollectionPatch(SQLModel):
    title: str | None = None
    description: str | None = None
    language: str | None = None
    visibility: str | None = None
    region: str | None = None


class CollectionItemCreate(SQLModel):
    entry: str
    note: str | None = None
    group: str | None = None


class CollectionItemPatch(SQLModel):
    note: str | None = None
    group: str | None = None


class CollectionOrder(SQLModel):
    items: list[int]


class CollectionSyncRequest(SQLModel):
    source: str


class CollectionTranslationCreate(SQLModel):
    lang: str
    title: str
    description: str | None = None


class CommunityCreate(SQLModel):
    name: str
    slug: str | None = None
    description: str | None = None
    region: str | None = None
    languages: list[str] | None = None
    language: str | None = None


class CommunityPatch(SQLModel):
    name: str | None = None
    description: str | None = None
    region: str | None = None
    languages: list[str] | None = None
    language: str | None = None


class JoinRequest(SQLModel):
    message: str | None = None


class MemberDecision(SQLModel):
    """Either ``accept`` (a join request) or ``role`` (member, curator, admin)."""

    accept: bool | None = None
    role: str | None = None
