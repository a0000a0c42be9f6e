"""Who may do what: every permission predicate lives here, and services call them."""
from __future__ import annotations

from sqlmodel import Session, select

from ..errors import Forbidden, Unauthorized
from ..models import Entry, Maintainer
from . import Actor

STAFF_ROLES = ("moderator", "admin")


def is_staff(actor: Actor | None) -> bool:
    """Moderators and admins."""
    return bool(actor) and actor.role in STAFF_ROLES


def is_maintainer(session: Session, actor: Actor | None, entry: Entry) -> bool:
    """Tell whether the actor maintains this entry."""
    if not actor or actor.user_id is None:
        return False
    return session.exec(select(Maintainer).where(Maintainer.user_id == actor.user_id,
                                                 Maintainer.entry_id == entry.id)).first() is not None


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
    return bool(actor) and actor.role == "admin"


def require_signed_in(actor: Actor | None) -> Actor:
    """Refuse anonymous callers with 401."""
    if actor is None:
        raise Unauthorized("Sign in or send an API token to do this.")
    return actor


def require(allowed: bool, message: str) -> None:
    """Raise 403 with a plain reason unless allowed."""
    if not allowed:
        raise Forbidden(message)
