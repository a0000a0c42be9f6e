"""Proposed edits and translations, and the decisions on them."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlmodel import SQLModel


class ProposalCreate(SQLModel):
    """An edit proposal (`changes`) or a translation (`lang` with name/summary/description)."""

    base_revision: Optional[int] = None
    changes: Optional[dict[str, Any]] = None
    note: Optional[str] = None
    lang: Optional[str] = None
    name: Optional[str] = None
    summary: Optional[str] = None
    description: Optional[str] = None


class ProposalCreated(SQLModel):
    id: Optional[int] = None
    status: Optional[str] = None
    published: Optional[bool] = None
    lang: Optional[str] = None


class ProposalDecision(SQLModel):
    note: Optional[str] = None


class ProposalPublic(SQLModel):
    id: int
    slug: str
    entry_name: str
    kind: str
    lang: Optional[str]
    changes: dict[str, Any]
    original: dict[str, Any]
    base_revision: int
    status: str
    author: Optional[str]
    reviewer: Optional[str]
    note: str
    created_at: datetime
    decided_at: Optional[datetime]


class ProposalList(SQLModel):
    items: list[ProposalPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]
