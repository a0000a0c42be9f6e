"""Entries: what is registered, its translations, relations, history and harvested details."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, func
from sqlmodel import Field, SQLModel

from .common import _empty_dict, _json, utcnow


class EntryBase(SQLModel):
    kind: str = Field(default="project", max_length=16)
    name: str = Field(max_length=300)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    language: str | None = Field(default=None, max_length=35)
    license: str | None = Field(default=None, max_length=200)
    region: str | None = Field(default=None, max_length=8)
    homepage: str | None = Field(default=None, max_length=2000)
    version: str | None = Field(default=None, max_length=100)


class Entry(EntryBase, table=True):
    __tablename__ = "entries"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=200, unique=True, index=True)
    languages: list = _json(list)
    tasks: list = _json(list)
    tags: list = _json(list)
    frameworks: list = _json(list)
    authors: list = _json(list)
    citation: dict = _json(dict)
    provenance: dict = _json(dict)
    #: field -> {"value", "origin", "commit"}: what the last harvest said for fields a person
    #: has locked by editing them, so unlocking brings the harvested value back.
    harvested_values: dict = Field(
        default_factory=_empty_dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    warnings: list = _json(list)
    source_url: str | None = Field(default=None, max_length=2000)
    head_commit: str | None = Field(default=None, max_length=64)
    revision: int = Field(default=0)
    hidden: bool = Field(default=False)
    hidden_reason: str | None = Field(default=None, max_length=500)
    deleted_at: datetime | None = None
    submitted_by_id: int | None = Field(default=None)  # users.id; kept when the account is deleted
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow, index=True)


#: A page sorted by name walks this index (search/planner.py) instead of sorting every match.
Index("ix_entries_name_order", func.lower(Entry.__table__.c.name), Entry.__table__.c.id)  # type: ignore[attr-defined]


class FacetValue(SQLModel, table=True):
    """One (entry, facet, value) row, so facet counts are a GROUP BY on any database."""

    __tablename__ = "facet_values"
    __table_args__ = (Index("ix_facet_values_facet_value", "facet", "value"),)

    entry_id: int = Field(foreign_key="entries.id", primary_key=True, ondelete="CASCADE")
    facet: str = Field(primary_key=True, max_length=16)
    value: str = Field(primary_key=True, max_length=200)


class Translation(SQLModel, table=True):
    __tablename__ = "translations"
    __table_args__ = (UniqueConstraint("entry_id", "lang"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    lang: str = Field(max_length=35)
    name: str = Field(default="", max_length=300)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    origin: str = Field(default="harvested", max_length=16)  # harvested | community | maintainer
    origin_file: str | None = Field(default=None, max_length=300)
    reviewed_by: str | None = Field(default=None, max_length=80)
    updated_at: datetime = Field(default_factory=utcnow)


class RenderedText(SQLModel, table=True):
    """An entry's description (``lang`` "") or one of its translations' (``lang`` its tag), rendered to safe
    HTML when it was written, so that a page shows it without rendering it again."""

    __tablename__ = "rendered_texts"

    entry_id: int = Field(foreign_key="entries.id", primary_key=True, ondelete="CASCADE")
    lang: str = Field(primary_key=True, max_length=35)
    html: str = Field(sa_column=Column(Text, nullable=False))
    #: The renderer's version (rendering.RENDERER_VERSION) that wrote ``html``; another one renders again.
    renderer: int


class Relation(SQLModel, table=True):
    __tablename__ = "relations"
    __table_args__ = (UniqueConstraint("entry_id", "type", "target"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    type: str = Field(max_length=32)
    target: str = Field(max_length=300, index=True)
    target_id: int | None = Field(default=None, foreign_key="entries.id", ondelete="SET NULL")


class Revision(SQLModel, table=True):
    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    number: int
    author: str = Field(max_length=80)  # a user name, or "harvester"
    reason: str = Field(default="", max_length=500)
    changes: list = _json(list)
    snapshot: dict = _json(dict)
    created_at: datetime = Field(default_factory=utcnow)


class EntryDetails(SQLModel, table=True):
    """What a harvest read beyond an entry's fields: ``model-index`` results, ``size_categories``,
    sub-model cards, data files… each ``{"value", "origin"}``. Harvested facts only; never edited."""

    __tablename__ = "entry_details"

    entry_id: int = Field(foreign_key="entries.id", primary_key=True, ondelete="CASCADE")
    data: dict = Field(default_factory=_empty_dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
