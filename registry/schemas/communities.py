"""Communities and their members."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlmodel import SQLModel


class CommunityPublic(SQLModel):
    slug: str
    name: str
    description: str
    language: Optional[str]
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
    slug: Optional[str] = None
    description: Optional[str] = None
    region: Optional[str] = None
    languages: Optional[list[str]] = None
    language: Optional[str] = None


class CommunityPatch(SQLModel):
    name: Optional[str] = None
    description: Optional[str] = None
    region: Optional[str] = None
    languages: Optional[list[str]] = None
    language: Optional[str] = None


class JoinRequest(SQLModel):
    message: Optional[str] = None


class MemberDecision(SQLModel):
    """Either ``accept`` (a join request) or ``role`` (member, curator, admin)."""

    accept: Optional[bool] = None
    role: Optional[str] = None
