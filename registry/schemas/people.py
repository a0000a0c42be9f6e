"""People: one's own account and API tokens."""

from __future__ import annotations

from typing import Any

from sqlmodel import SQLModel

from .common import Timestamp
from .limits import TokenName


class TokenCreate(SQLModel):
    scope: str | None = "read"
    name: TokenName | None = ""


class TokenPublic(SQLModel):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: Timestamp
    expires_at: Timestamp | None
    last_used_at: Timestamp | None


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
