"""Discoveries: a lister pointed at a forge, hub or catalogue, its runs, and what it found."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from sqlmodel import SQLModel

from .common import Timestamp

#: How long a discovery's target and set may be.
TARGET_MAX, SET_MAX = 500, 200


class DiscoveryCreate(SQLModel):
    """A new discovery: ``kind`` is a lister kind, ``target`` what it lists (see the CLI's TARGET)."""

    kind: Literal["github", "gitee", "gitlab", "gitea", "huggingface", "modelscope", "oai-pmh", "ckan"]
    target: Annotated[str, Field(max_length=TARGET_MAX)]
    set: Annotated[str | None, Field(max_length=SET_MAX)] = None
    #: A collection whose inbox receives what it finds, for a curator's review.
    collection: Annotated[str | None, Field(max_length=80)] = None
    schedule_hours: Annotated[int | None, Field(ge=1, le=24 * 365)] = None


class DiscoveryRunPublic(SQLModel):
    id: int
    started_at: Timestamp
    finished_at: Timestamp | None
    status: str  # running | complete | partial
    found: int
    new: int
    known: int
    gone: int
    skipped: int
    pages: int
    unchanged_pages: int
    requests: int
    reason: str | None


class DiscoveryPublic(SQLModel):
    id: int
    kind: str
    target: str
    set: str | None
    collection: str | None
    schedule_hours: int
    #: Whether the next run resumes where a partial run stopped.
    resumes: bool
    last_status: str | None
    last_run_at: Timestamp | None
    next_due_at: Timestamp | None
    found: int
    gone: int
    created_at: Timestamp
    last_run: DiscoveryRunPublic | None = None


class DiscoveryList(SQLModel):
    items: list[DiscoveryPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]


class DiscoveryRunList(SQLModel):
    items: list[DiscoveryRunPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]


class FoundItemPublic(SQLModel):
    """One thing a discovery found, with the lister's evidence and where it came from."""

    id: int
    url: str
    source_id: int | None
    entry: str | None
    evidence: dict[str, Any]
    provenance: dict[str, Any]
    first_seen_at: Timestamp
    last_seen_at: Timestamp
    gone: bool
    review: str | None


class FoundItemList(SQLModel):
    items: list[FoundItemPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]


class FoundItemReview(SQLModel):
    """A curator's decision on an item of a collection's inbox."""

    decision: str  # accept | dismiss


class DiscoveredBy(SQLModel):
    id: int
    kind: str
    target: str
