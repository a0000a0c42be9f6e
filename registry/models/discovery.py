"""Discoveries: a lister pointed at a forge, hub or catalogue, its runs, and what it found.

A discovery remembers where a run stopped (``cursor``) and each page's ETag with the page after it
(``pages``), so the next run resumes, and an unchanged catalogue costs one conditional request per
page. Tokens are never stored here: they come from the configuration when a run starts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .common import _json, utcnow


class Discovery(SQLModel, table=True):
    __tablename__ = "discoveries"
    __table_args__ = (UniqueConstraint("kind", "target", "set_spec"),)

    id: int | None = Field(default=None, primary_key=True)
    #: The lister kind: github, gitee, gitlab, gitea, huggingface, modelscope, oai-pmh, ckan.
    kind: str = Field(max_length=16)
    target: str = Field(max_length=500)
    #: An OAI-PMH set or a CKAN organisation ("" for none).
    set_spec: str = Field(default="", max_length=200)
    #: What it finds goes to this collection's inbox for a curator's review.
    collection_id: int | None = Field(default=None, foreign_key="collections.id", index=True, ondelete="SET NULL")
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    schedule_hours: int = Field(default=24)
    #: Where the next run resumes (a partial run's stop); None: from the first page.
    cursor: str | None = Field(default=None, sa_column=Column(Text))
    #: The run that began the current pass over every page: items seen since then count as present.
    pass_run_id: int | None = None
    #: page cursor -> {"etag": …, "next": …}: what a conditional request needs to skip a page.
    pages: dict = _json(dict)
    #: The newest change time seen (for the catalogues that list increments).
    watermark: str | None = Field(default=None, max_length=64)
    last_status: str | None = Field(default=None, max_length=16)
    last_run_at: datetime | None = None
    next_due_at: datetime | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class DiscoveryRun(SQLModel, table=True):
    __tablename__ = "discovery_runs"

    id: int | None = Field(default=None, primary_key=True)
    discovery_id: int = Field(foreign_key="discoveries.id", index=True, ondelete="CASCADE")
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    #: running | complete | partial
    status: str = Field(default="running", max_length=16)
    found: int = 0
    new: int = 0
    known: int = 0
    gone: int = 0
    skipped: int = 0
    pages: int = 0
    unchanged_pages: int = 0
    requests: int = 0
    #: Why a partial run stopped, in plain words.
    reason: str | None = Field(default=None, sa_column=Column(Text))


class DiscoveredItem(SQLModel, table=True):
    """One thing a discovery found: its source, and the lister's evidence with its provenance."""

    __tablename__ = "discovered_items"
    __table_args__ = (UniqueConstraint("discovery_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    discovery_id: int = Field(foreign_key="discoveries.id", index=True, ondelete="CASCADE")
    #: The lister's stable key (a repository id): a rename keeps it.
    key: str = Field(max_length=300)
    url: str = Field(max_length=2000)
    source_id: int | None = Field(default=None, foreign_key="sources.id", index=True, ondelete="SET NULL")
    #: A digest of the page it was last seen on: a page answered 304 marks its items seen.
    page: str = Field(default="", max_length=40, index=True)
    evidence: dict = _json(dict)
    #: {"lister": kind, "page": the page's address, "seen_at": …}
    provenance: dict = _json(dict)
    first_seen_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    seen_run_id: int | None = Field(default=None, index=True)
    #: Consecutive complete passes that did not list it; two make it gone.
    missed: int = 0
    gone_at: datetime | None = None
    #: With a collection: inbox | accepted | dismissed; None without one.
    review: str | None = Field(default=None, max_length=16)
