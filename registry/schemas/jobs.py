"""Queued jobs."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel


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
