"""Communities and their members."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from .common import Timestamp
from .limits import CommunityDescription, CommunityName, CommunityRegion, JoinMessage, Slug


class CommunityPublic(SQLModel):
    slug: str
    name: str
    description: str
    language: str | None
    region: str
    languages: list[str]
    member_count: int
    created_at: Timestamp


class CommunityMemberPublic(SQLModel):
    name: str
    display_name: str
    role: str
    # For the pages only (a join request's standing, message and date), never in the JSON.
    status: str = Field(default="active", exclude=True)
    message: str = Field(default="", exclude=True)
    created_at: Timestamp | None = Field(default=None, exclude=True)


class CommunityDetail(CommunityPublic):
    members: list[CommunityMemberPublic] = Field(default_factory=list)
    # For the pages only, never in the JSON: join requests (for those who decide them), the
    # reader's own standing (None, "pending" or their role) and what they may do.
    pending: list[CommunityMemberPublic] = Field(default_factory=list, exclude=True)
    my_role: str | None = Field(default=None, exclude=True)
    can_review: bool = Field(default=False, exclude=True)
    can_manage: bool = Field(default=False, exclude=True)


class CommunityList(SQLModel):
    items: list[CommunityPublic]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]


class JoinRequested(SQLModel):
    status: str


class CommunityCreate(SQLModel):
    name: CommunityName
    slug: Slug | None = None
    description: CommunityDescription | None = None
    region: CommunityRegion | None = None
    languages: list[str] | None = None
    language: str | None = None


class CommunityPatch(SQLModel):
    name: CommunityName | None = None
    description: CommunityDescription | None = None
    region: CommunityRegion | None = None
    languages: list[str] | None = None
    language: str | None = None


class JoinRequest(SQLModel):
    message: JoinMessage | None = None


class MemberDecision(SQLModel):
    """Either ``accept`` (a join request) or ``role`` (member, curator, admin)."""

    accept: bool | None = None
    role: str | None = None
