"""People: one's own account and API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import SQLModel


class TokenCreate(SQLModel):
    scope: str | None = "read"
    name: str | None = ""


class TokenPublic(SQLModel):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


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
    display_name: str | None
    role: str
    preferred_language: str | None
    token_scope: str | None
