"""Communities and their members."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import SQLModel


class CommunityPublic(SQLModel):
    slug: str
    name: str
    description: str
    language: str | None
    region: str
    languages: list[str]
    member_count: int
    created_at: datetime


class CommunityMemberPublic(SQLModel):
    name: str
    display_name: str
    role: str


class CommunityDetail(CommunityPublic):
    members: list[CommunityMemberPublic]


class CommunityList(SQLModel):
    items: list[CommunityPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]


class JoinRequested(SQLModel):
    status: str


class CommunityCreate(SQLModel):
    name: str
    slug: str | None = None
    description: str | None = None
    region: str | None = None
    languages: list[str] | None = None
    language: str | None = None


class CommunityPatch(SQLModel):
    name: str | None = None
    description: str | None = None
    region: str | None = None
    languages: list[str] | None = None
    language: str | None = None


class JoinRequest(SQLModel):
    message: str | None = None


class MemberDecision(SQLModel):
    """Either ``accept`` (a join request) or ``role`` (member, curator, admin)."""

    accept: bool | None = None
    role: str | None = None
