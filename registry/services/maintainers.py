"""Maintainers granted by an admin, for when a claim cannot be placed in the source."""
from __future__ import annotations

from sqlmodel import Session, select

from ..errors import NotFound
from ..models import Maintainer, User
from . import Actor
from .entries import find_entry
from .permissions import can_grant_maintainer, require, require_signed_in


def grant_maintainer(session: Session, *, slug: str, user_name: str, actor: Actor | None) -> Maintainer:
    """Make a person a maintainer of an entry (admins only); granting twice changes nothing."""
    actor = require_signed_in(actor)
    require(can_grant_maintainer(actor), "Only an admin grants maintainership without a claim.")
    entry = find_entry(session, slug)
    user = session.exec(select(User).where(User.name == user_name.lower(), User.deleted_at.is_(None))).first()
    if user is None:
        raise NotFound(f"No account named {user_name!r}.")
    row = session.exec(select(Maintainer).where(Maintainer.user_id == user.id,
                                                Maintainer.entry_id == entry.id)).first()
    if row is None:
        row = Maintainer(user_id=user.id, entry_id=entry.id, via="admin")
        session.add(row)
        session.flush()
    return row
