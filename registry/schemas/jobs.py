"""Queued jobs."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import SQLModel


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
