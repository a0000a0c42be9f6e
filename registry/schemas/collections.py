"""Collections: their items and groups, translations, list syncs, and the bodies that change them."""

from __future__ import annotations

from typing import Annotated

from sqlmodel import Field, SQLModel

from .common import OmittedWhenNone, Timestamp
from .entries import EntrySummary
from .limits import CollectionDescription, CollectionTitle, CuratorNote, GroupTitle, Slug


class CollectionOwner(SQLModel):
    """Who owns a collection: a community (slug, name), a person (name, display_name) or the site."""

    type: str  # community | user | site
    slug: Annotated[str | None, OmittedWhenNone] = None
    name: Annotated[str | None, OmittedWhenNone] = None
    display_name: Annotated[str | None, OmittedWhenNone] = None


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
    created_at: Timestamp
    updated_at: Timestamp
    # For the pages only, never in the JSON: the original text when a translation is shown,
    # and whether the reader may curate.
    original: dict[str, str] | None = Field(default=None, exclude=True)
    can_curate: bool = Field(default=False, exclude=True)


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
    added_at: Timestamp
    #: For the pages only (they place items under their group), never in the JSON.
    group_id: int | None = Field(default=None, exclude=True)


class CollectionDetail(CollectionPublic):
    groups: list[CollectionGroupPublic] = Field(default_factory=list)
    items: list[CollectionItemPublic] = Field(default_factory=list)


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
    created_at: Timestamp


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


class CollectionCreate(SQLModel):
    title: CollectionTitle
    slug: Slug | None = None
    description: CollectionDescription | None = None
    language: str | None = None
    community: str | None = None
    visibility: str | None = None
    region: str | None = None


class CollectionPatch(SQLModel):
    title: CollectionTitle | None = None
    description: CollectionDescription | None = None
    language: str | None = None
    visibility: str | None = None
    region: str | None = None


class CollectionItemCreate(SQLModel):
    entry: str
    note: CuratorNote | None = None
    group: GroupTitle | None = None


class CollectionItemPatch(SQLModel):
    note: CuratorNote | None = None
    group: GroupTitle | None = None


class CollectionOrder(SQLModel):
    items: list[int]


class CollectionSyncRequest(SQLModel):
    source: str


class CollectionTranslationCreate(SQLModel):
    lang: str
    title: CollectionTitle
    description: CollectionDescription | None = None
