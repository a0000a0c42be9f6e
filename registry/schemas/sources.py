"""Sources, their harvest runs and push hooks."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlmodel import SQLModel

from .jobs import JobPublic


class RunPublic(SQLModel):
    started_at: datetime
    finished_at: Optional[datetime]
    outcome: str
    commit: Optional[str]
    changes: list[str]
    warnings: list[str]
    error: Optional[str]


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
