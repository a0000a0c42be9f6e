"""An entry's revisions, and its history page: who may do what with it."""

from __future__ import annotations

from typing import Any

from sqlmodel import Field, SQLModel

from .common import Timestamp


class RevisionPublic(SQLModel):
    revision: int
    author: str
    reason: str
    changes: list[str]
    created_at: Timestamp
    snapshot: dict[str, Any]


class RevisionList(SQLModel):
    items: list[RevisionPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]


class Abilities(SQLModel):
    """What the actor may do with one entry: the pages show buttons from this, services still decide."""

    signed_in: bool
    can_edit: bool
    can_review: bool
    can_revert: bool
    can_hide: bool
    is_maintainer: bool


class EntryHistory(SQLModel):
    """An entry's history page: its revisions newest first, its maintainers, what the reader may do."""

    slug: str
    name: str
    revision: int
    hidden: bool
    hidden_reason: str | None
    abilities: Abilities
    maintainers: list[str] = Field(default_factory=list)
    revisions: list[RevisionPublic] = Field(default_factory=list)
