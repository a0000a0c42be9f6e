"""Communities: members with roles (member, curator, admin) and join requests curators decide."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any, TypeVar

from sqlalchemy import func
from sqlmodel import Session, col, select

from harvesters.language import detect_language, normalize_tag

from ..errors import Conflict, Invalid, NotFound
from ..models import COMMUNITY_ROLES, Community, CommunityMember, User, utcnow
from ..schemas import CommunityDetail, CommunityMemberPublic, CommunityPublic
from ..schemas.limits import COMMUNITY_TEXT_MAX as _MAX
from ..schemas.limits import SLUG_MAX
from . import Actor
from .permissions import (
    can_create_community,
    can_manage_community,
    can_review_members,
    community_role,
    is_staff,
    require,
    require_signed_in,
)

_SLUG = re.compile(rf"^[a-z0-9](?:[a-z0-9-]{{0,{SLUG_MAX - 2}}}[a-z0-9])?$")
MAX_PER_PAGE = 100


def make_slug(text: str, *, fallback: str = "c") -> str:
    """Turn a title into a one-segment slug; a title in another script gets a short digest."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    if len(slug) < 3:
        slug = f"{fallback}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"
    return slug


def check_slug(slug: str) -> str:
    """Return a valid one-segment slug or raise Invalid."""
    slug = (slug or "").strip().lower()
    if not _SLUG.match(slug):
        raise Invalid(
            f"slug: 1–{SLUG_MAX} lower-case letters, digits and '-', not starting or ending with '-'",
            details={"fields": {"slug": "lower-case letters, digits and '-'"}},
        )
    return slug


def clean_languages(values: Any, *, field_name: str = "languages") -> list[str]:
    """Normalize a list of BCP-47 tags (a list, or a comma-separated string)."""
    if isinstance(values, str):
        values = [v for v in values.split(",")]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise Invalid(f"{field_name}: a list of language tags", details={"fields": {field_name: "a list of tags"}})
    out: list[str] = []
    for raw in values:
        if not raw.strip():
            continue
        tag = normalize_tag(raw)
        if tag is None:
            raise Invalid(
                f"{field_name}: {raw.strip()!r} is not a language tag",
                details={"fields": {field_name: f"{raw.strip()!r} is not a language tag"}},
            )
        if tag not in out:
            out.append(tag)
    return out


def clean_language(value: Any, *, field_name: str = "language") -> str | None:
    """Normalize one optional BCP-47 tag."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or normalize_tag(value) is None:
        raise Invalid(f"{field_name}: not a language tag", details={"fields": {field_name: "not a language tag"}})
    return normalize_tag(value)


def clean_text(name: str, value: Any, *, limit: int, required: bool = False) -> str:
    """Return stripped text within ``limit`` characters (from registry/schemas/limits.py), or raise Invalid naming the field."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{name}: text expected", details={"fields": {name: "text expected"}})
    value = value.strip()
    if required and not value:
        raise Invalid(f"{name}: required", details={"fields": {name: "required"}})
    if len(value) > limit:
        raise Invalid(f"{name}: at most {limit} characters", details={"fields": {name: f"at most {limit} characters"}})
    return value


def find_community(session: Session, slug: str) -> Community:
    """Return the community with this slug or raise NotFound."""
    community = session.exec(select(Community).where(Community.slug == (slug or "").lower())).first()
    if community is None:
        raise NotFound(f"No community {slug!r}.", details={"slug": slug})
    return community


def _user(session: Session, name: str) -> User:
    user = session.exec(select(User).where(User.name == (name or "").lower(), col(User.deleted_at).is_(None))).first()
    if user is None:
        raise NotFound(f"No account {name!r}.")
    return user


def _member_count(session: Session, community_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(CommunityMember)
        .where(CommunityMember.community_id == community_id, CommunityMember.status == "active")
    ).one()


Shown = TypeVar("Shown", bound=CommunityPublic)


def _view(session: Session, community: Community, *, shape: type[Shown], count: int | None = None) -> Shown:
    assert community.id is not None  # read from the database, so it has its id
    return shape(
        slug=community.slug,
        name=community.name,
        description=community.description,
        language=community.language,
        region=community.region,
        languages=list(community.languages),
        member_count=_member_count(session, community.id) if count is None else count,
        created_at=community.created_at,
    )


def create_community(
    session: Session,
    *,
    actor: Actor | None,
    name: str,
    slug: str | None = None,
    description: str = "",
    region: str = "",
    languages: Any = (),
    language: str | None = None,
) -> Community:
    """Start a community; its creator becomes its first admin."""
    actor = require_signed_in(actor)
    require(can_create_community(actor), "Communities are started by people with an account.")
    name = clean_text("name", name, limit=_MAX["name"], required=True)
    description = clean_text("description", description, limit=_MAX["description"])
    slug = check_slug(slug) if slug else make_slug(name)
    if session.exec(select(Community.id).where(Community.slug == slug)).first() is not None:
        raise Conflict(f"The community slug {slug!r} is taken.", details={"field": "slug"})
    community = Community(
        slug=slug,
        name=name,
        description=description,
        region=clean_text("region", region, limit=_MAX["region"]),
        languages=clean_languages(list(languages) if not isinstance(languages, str) else languages),
        language=clean_language(language) or detect_language(f"{name}\n{description}"),
        created_by_id=actor.user_id,
    )
    session.add(community)
    session.flush()
    assert community.id is not None  # flushed just above, so it has its id
    assert actor.user_id is not None  # can_create_community lets only accounts through
    session.add(
        CommunityMember(
            community_id=community.id,
            user_id=actor.user_id,
            role="admin",
            status="active",
            decided_at=utcnow(),
            decided_by_id=actor.user_id,
        )
    )
    session.flush()
    return community


def update_community(session: Session, *, slug: str, actor: Actor | None, changes: dict[str, Any]) -> Community:
    """Change a community's name, description, region or languages (its admins and site staff)."""
    actor = require_signed_in(actor)
    community = find_community(session, slug)
    assert community.id is not None  # find_community read it from the database
    require(can_manage_community(session, actor, community.id), "Only the community's admins change it.")
    unknown = set(changes) - {"name", "description", "region", "languages", "language"}
    if unknown:
        raise Invalid(
            f"These fields cannot be changed: {', '.join(sorted(unknown))}",
            details={"fields": {k: "unknown field" for k in unknown}},
        )
    if "name" in changes:
        community.name = clean_text("name", changes["name"], limit=_MAX["name"], required=True)
    for name in ("description", "region"):
        if name in changes:
            setattr(community, name, clean_text(name, changes[name], limit=_MAX[name]))
    if "languages" in changes:
        community.languages = clean_languages(changes["languages"])
    if "language" in changes:
        community.language = clean_language(changes["language"])
    session.add(community)
    return community


def list_communities(
    session: Session, *, language: str | None = None, page: int = 1, per_page: int = 20
) -> tuple[list[CommunityPublic], int]:
    """Return one page of communities (most members first) and how many there are."""
    rows = list(session.exec(select(Community).order_by(Community.name)))
    if language:
        primary = language.lower().split("-")[0]
        rows = [c for c in rows if any(t.lower().split("-")[0] == primary for t in c.languages)]
    # Keyed by stored communities' ids, never None: typed so a row's optional id looks a count up.
    counts: dict[int | None, int] = dict(
        session.exec(
            select(CommunityMember.community_id, func.count())
            .where(CommunityMember.status == "active")
            .group_by(col(CommunityMember.community_id))
        ).all()
    )
    views = sorted(
        (_view(session, c, count=counts.get(c.id, 0), shape=CommunityPublic) for c in rows),
        key=lambda v: (-v.member_count, v.name.lower()),
    )
    start = (page - 1) * per_page
    return views[start : start + per_page], len(views)


def get_community(session: Session, *, slug: str, actor: Actor | None) -> CommunityDetail:
    """Return a community with its active members; curators also see the join requests."""
    community = find_community(session, slug)
    view = _view(session, community, shape=CommunityDetail)
    assert community.id is not None  # find_community read it from the database
    rows = session.exec(
        select(CommunityMember, User)
        .join(User, col(User.id) == CommunityMember.user_id)
        .where(CommunityMember.community_id == community.id, col(User.deleted_at).is_(None))
        .order_by(col(CommunityMember.created_at))
    ).all()
    order = {r: i for i, r in enumerate(reversed(COMMUNITY_ROLES))}
    view.can_review = can_review_members(session, actor, community.id)
    view.can_manage = can_manage_community(session, actor, community.id)
    for member, user in rows:
        shown = CommunityMemberPublic(
            name=user.name,
            display_name=user.display_name or user.name,
            role=member.role,
            status=member.status,
            message=member.message,
            created_at=member.created_at,
        )
        if member.status == "active":
            view.members.append(shown)
        elif view.can_review:
            view.pending.append(shown)
        if actor and actor.user_id == user.id:
            view.my_role = member.role if member.status == "active" else "pending"
    view.members.sort(key=lambda m: (order.get(m.role, 9), m.name))
    return view


def request_join(session: Session, *, slug: str, actor: Actor | None, message: str = "") -> CommunityMember:
    """Ask to join a community; a curator approves the request."""
    actor = require_signed_in(actor)
    if actor.user_id is None:
        raise Invalid("Joining a community needs an account.")
    community = find_community(session, slug)
    assert community.id is not None  # find_community read it from the database
    existing = session.get(CommunityMember, (community.id, actor.user_id))
    if existing is not None:
        raise Conflict(
            "You are already a member."
            if existing.status == "active"
            else "Your request to join is waiting for a curator."
        )
    row = CommunityMember(
        community_id=community.id,
        user_id=actor.user_id,
        role="member",
        status="pending",
        message=clean_text("message", message, limit=_MAX["message"]),
    )
    session.add(row)
    session.flush()
    return row


def decide_join(session: Session, *, slug: str, actor: Actor | None, user_name: str, accept: bool) -> None:
    """Approve or decline a join request (the community's curators and admins)."""
    actor = require_signed_in(actor)
    community = find_community(session, slug)
    assert community.id is not None  # find_community read it from the database
    require(can_review_members(session, actor, community.id), "Only the community's curators decide join requests.")
    user = _user(session, user_name)
    row = session.get(CommunityMember, (community.id, user.id))
    if row is None or row.status != "pending":
        raise NotFound(f"{user.name} has not asked to join.")
    if accept:
        row.status, row.decided_at, row.decided_by_id = "active", utcnow(), actor.user_id
        session.add(row)
    else:
        session.delete(row)
    session.flush()


def set_member_role(session: Session, *, slug: str, actor: Actor | None, user_name: str, role: str) -> None:
    """Make an active member a member, curator or admin (the community's admins)."""
    actor = require_signed_in(actor)
    community = find_community(session, slug)
    assert community.id is not None  # find_community read it from the database
    require(can_manage_community(session, actor, community.id), "Only the community's admins change roles.")
    if role not in COMMUNITY_ROLES:
        raise Invalid(f"role: one of {', '.join(COMMUNITY_ROLES)}", details={"fields": {"role": "unknown role"}})
    user = _user(session, user_name)
    row = session.get(CommunityMember, (community.id, user.id))
    if row is None or row.status != "active":
        raise NotFound(f"{user.name} is not a member.")
    if row.role == "admin" and role != "admin":
        _keep_an_admin(session, community.id)
    row.role = role
    session.add(row)
    session.flush()


def _keep_an_admin(session: Session, community_id: int) -> None:
    admins = session.exec(
        select(func.count())
        .select_from(CommunityMember)
        .where(
            CommunityMember.community_id == community_id,
            CommunityMember.role == "admin",
            CommunityMember.status == "active",
        )
    ).one()
    if admins <= 1:
        raise Conflict("A community needs at least one admin: make someone else admin first.")


def leave_community(session: Session, *, slug: str, actor: Actor | None) -> None:
    """Leave a community, or withdraw a join request; the last admin cannot leave."""
    actor = require_signed_in(actor)
    community = find_community(session, slug)
    assert community.id is not None  # find_community read it from the database
    row = session.get(CommunityMember, (community.id, actor.user_id)) if actor.user_id else None
    if row is None:
        raise NotFound("You are not a member.")
    if row.role == "admin" and row.status == "active":
        _keep_an_admin(session, community.id)
    session.delete(row)
    session.flush()


def add_member(session: Session, *, community: Community, user_id: int, role: str = "member") -> None:
    """Make someone an active member directly (the demo and site operators); idempotent."""
    assert community.id is not None  # a stored community (create_community flushes a new one)
    row = session.get(CommunityMember, (community.id, user_id))
    if row is None:
        session.add(
            CommunityMember(community_id=community.id, user_id=user_id, role=role, status="active", decided_at=utcnow())
        )
        session.flush()


def curating_communities(session: Session, *, actor: Actor | None) -> list[tuple[str, str]]:
    """Return (slug, name) of the communities whose collections the actor may make."""
    if not actor or actor.user_id is None:
        return []
    stmt = select(Community.slug, Community.name).order_by(Community.name)
    if not is_staff(actor):
        stmt = stmt.join(CommunityMember, col(CommunityMember.community_id) == Community.id).where(
            CommunityMember.user_id == actor.user_id,
            CommunityMember.status == "active",
            col(CommunityMember.role).in_(("curator", "admin")),
        )
    return [(slug, name) for slug, name in session.exec(stmt).all()]


def my_role(session: Session, *, slug: str, actor: Actor | None) -> str | None:
    """Return the actor's active role in a community, or None."""
    return community_role(session, actor, find_community(session, slug).id)
