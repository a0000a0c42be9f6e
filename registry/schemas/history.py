"""An entry's revisions."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import SQLModel


class RevisionPublic(SQLModel):
    revision: int
    author: str
    reason: str
    changes: list[str]
    created_at: datetime
    snapshot: dict[str, Any]


class RevisionList(SQLModel):
    items: list[RevisionPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]
