"""Sources, their harvest runs and push hooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import SQLModel

from .discovery import DiscoveredBy
from .jobs import JobPublic


class RunPublic(SQLModel):
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    commit: str | None
    changes: list[str]
    warnings: list[str]
    error: str | None


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
    #: The discovery that found it; null for a source registered by a person, a list or the CLI.
    discovered_by: DiscoveredBy | None = None
    #: When its lister stopped listing it (two complete runs in a row); it is kept, never deleted.
    gone_at: datetime | None = None


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
