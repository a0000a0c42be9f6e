"""People: one's own account and API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlmodel import SQLModel


class TokenCreate(SQLModel):
    scope: Optional[str] = "read"
    name: Optional[str] = ""


class TokenPublic(SQLModel):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: Optional[datetime]
    last_used_at: Optional[datetime]


class TokenCreated(TokenPublic):
    token: str


class TokenList(SQLModel):
    items: list[TokenPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, Any]


class MePublic(SQLModel):
    name: str
    display_name: Optional[str]
    role: str
    preferred_language: Optional[str]
    token_scope: Optional[str]
