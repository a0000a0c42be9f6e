"""Who may do what: every permission predicate lives here, and services call them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ..errors import Forbidden, Unauthorized
from ..models import Entry, Maintainer
from . import Actor

STAFF_ROLES = ("moderator", "admin")


def is_staff(actor: Actor | None) -> bool:
    """Moderators and admins."""
    return actor is not None and actor.role in STAFF_ROLES


def is_maintainer(session: Session, actor: Actor | None, entry: Entry) -> bool:
    """Tell whether the actor maintains this entry."""
    if not actor or actor.user_id is None:
        return False
    return (
        session.exec(
            select(Maintainer).where(col(Maintainer.user_id) == actor.user_id, col(Maintainer.entry_id) == entry.id)
        ).first()
        is not None
    )


def can_edit(session: Session, actor: Actor | None, entry: Entry) -> bool:
    """Maintainers, moderators and admins edit directly; everyone else proposes."""
    return is_staff(actor) or is_maintainer(session, actor, entry)


def can_review(session: Session, actor: Actor | None, entry: Entry) -> bool:
    """Who may accept or reject proposals for this entry."""
    return can_edit(session, actor, entry)


def can_revert(session: Session, actor: Actor | None, entry: Entry) -> bool:
    """Moderators and maintainers revert."""
    return can_edit(session, actor, entry)


def can_hide(actor: Actor | None) -> bool:
    """Hiding (soft, with a reason) is for moderators and admins."""
    return is_staff(actor)


def can_purge(actor: Actor | None) -> bool:
    """Only an admin purges, and every purge is recorded."""
    return actor is not None and actor.role == "admin"


def require_signed_in(actor: Actor | None) -> Actor:
    """Refuse anonymous callers with 401."""
    if actor is None:
        raise Unauthorized("Sign in or send an API token to do this.")
    return actor


def require(allowed: bool, message: str) -> None:
    """Raise 403 with a plain reason unless allowed."""
    if not allowed:
        raise Forbidden(message)


# --- communities and collections (issue 6) ---------------------------------------------

CURATING_ROLES = ("curator", "admin")


def community_role(session: Session, actor: Actor | None, community_id: int | None) -> str | None:
    """Return the actor's active role in a community (member, curator, admin), or None."""
    from ..models import CommunityMember

    if not actor or actor.user_id is None or community_id is None:
        return None
    row = session.get(CommunityMember, (community_id, actor.user_id))
    return row.role if row is not None and row.status == "active" else None


def can_create_community(actor: Actor | None) -> bool:
    """Anyone with an account starts a community, and becomes its first admin."""
    return actor is not None and actor.user_id is not None


def can_review_members(session: Session, actor: Actor | None, community_id: int) -> bool:
    """Curators and admins of the community (and site staff) approve join requests."""
    return is_staff(actor) or community_role(session, actor, community_id) in CURATING_ROLES


def can_manage_community(session: Session, actor: Actor | None, community_id: int) -> bool:
    """The community's admins (and site staff) change roles and edit the community."""
    return is_staff(actor) or community_role(session, actor, community_id) == "admin"


def can_create_collection(session: Session, actor: Actor | None, community_id: int | None) -> bool:
    """A person makes collections of their own (the operator: the site's); a community's, its curators."""
    if community_id is None:
        return is_staff(actor) or (actor is not None and actor.user_id is not None)
    return can_review_members(session, actor, community_id)


def can_curate_collection(session: Session, actor: Actor | None, collection) -> bool:
    """Who edits a collection: its owner, its community's curators, and site staff (site collections)."""
    if is_staff(actor):
        return True
    if not actor or actor.user_id is None:
        return False
    if collection.owner_id is not None and collection.owner_id == actor.user_id:
        return True
    return community_role(session, actor, collection.community_id) in CURATING_ROLES
