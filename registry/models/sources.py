"""Sources: where entries are harvested from, each run, and the push hooks that trigger one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .common import _json, utcnow


class Source(SQLModel, table=True):
    __tablename__ = "sources"
    __table_args__ = (UniqueConstraint("kind", "url"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    url: str = Field(max_length=2000)
    entry_id: int | None = Field(default=None, foreign_key="entries.id", index=True, ondelete="SET NULL")
    schedule_hours: int = Field(default=24)
    last_commit: str | None = Field(default=None, max_length=64)
    etag: str | None = Field(default=None, max_length=300)
    consecutive_failures: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    last_harvested_at: datetime | None = None
    next_due_at: datetime | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    #: The discovery that found it (None: registered by a person, a list or the CLI). No foreign key:
    #: discoveries point at collections, which point at sources (a cycle), and discoveries are never deleted.
    discovered_by_id: int | None = Field(default=None, index=True)
    #: Its lister stopped listing it (two complete runs in a row); never deleted for that.
    gone_at: datetime | None = None


class HarvestRun(SQLModel, table=True):
    __tablename__ = "harvest_runs"

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id", index=True, ondelete="CASCADE")
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    outcome: str = Field(max_length=16)
    commit: str | None = Field(default=None, max_length=64)
    changes: list = _json(list)
    warnings: list = _json(list)
    error: str | None = Field(default=None, sa_column=Column(Text))


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

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="sources.id", index=True, ondelete="CASCADE")
    delivery_id: str = Field(max_length=200)
    received_at: datetime = Field(default_factory=utcnow, index=True)
