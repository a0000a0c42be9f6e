"""Collections: their items and groups, translations, list syncs, and the bodies that change them."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import SQLModel

from .entries import EntrySummary


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
