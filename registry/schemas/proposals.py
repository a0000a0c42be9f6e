"""Proposed edits and translations, and the decisions on them."""

from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel

from .common import Timestamp
from .entries import EntryChanges
from .limits import Description, EntryName, Note, Summary


class ProposalCreate(SQLModel):
    """An edit proposal (`changes`) or a translation (`lang` with name/summary/description)."""

    base_revision: int | None = None
    changes: EntryChanges | None = None
    note: Note | None = None
    lang: str | None = None
    name: EntryName | None = None
    summary: Summary | None = None
    description: Description | None = None


class ProposalCreated(SQLModel):
    id: int | None = None
    status: str | None = None
    published: bool | None = None
    lang: str | None = None


class ProposalDecision(SQLModel):
    note: Note | None = None


class ProposalPublic(SQLModel):
    id: int
    slug: str
    entry_name: str
    kind: str
    lang: str | None
    changes: dict[str, Any]
    original: dict[str, Any]
    base_revision: int
    status: str
    author: str | None
    reviewer: str | None
    note: str
    created_at: Timestamp
    decided_at: Timestamp | None


class ProposalList(SQLModel):
    items: list[ProposalPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]
