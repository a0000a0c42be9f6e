"""What the contribution pages need to know: an entry's history and what the reader may do with it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from ..errors import NotFound
from ..models import Entry, Maintainer, Revision, User
from ..schemas import Abilities, EntryHistory, RevisionPublic
from . import Actor
from .entries import find_entry
from .permissions import can_edit, can_hide, can_revert, can_review, is_maintainer


def _abilities(session: Session, actor: Actor | None, entry: Entry) -> Abilities:
    return Abilities(
        signed_in=actor is not None,
        can_edit=can_edit(session, actor, entry),
        can_review=can_review(session, actor, entry),
        can_revert=can_revert(session, actor, entry),
        can_hide=can_hide(actor),
        is_maintainer=is_maintainer(session, actor, entry),
    )


def entry_abilities(session: Session, *, slug: str, actor: Actor | None) -> Abilities:
    """Tell what the actor may do with a visible entry."""
    return _abilities(session, actor, find_entry(session, slug))


def entry_history(session: Session, *, slug: str, actor: Actor | None) -> EntryHistory:
    """Return an entry's revisions, newest first; hidden entries are shown to those who may unhide them."""
    entry = session.exec(select(Entry).where(Entry.slug == slug.lower(), col(Entry.deleted_at).is_(None))).first()
    if entry is None or (entry.hidden and not can_hide(actor)):
        raise NotFound(f"No entry {slug!r} is registered.", details={"slug": slug})
    rows = session.exec(select(Revision).where(Revision.entry_id == entry.id).order_by(col(Revision.number).desc()))
    maintainers = session.exec(
        select(User.name)
        .join(Maintainer, col(Maintainer.user_id) == User.id)
        .where(Maintainer.entry_id == entry.id)
        .order_by(User.name)
    ).all()
    return EntryHistory(
        slug=entry.slug,
        name=entry.name,
        revision=entry.revision,
        hidden=entry.hidden,
        hidden_reason=entry.hidden_reason,
        abilities=_abilities(session, actor, entry),
        maintainers=list(maintainers),
        revisions=[
            RevisionPublic(
                revision=r.number,
                author=r.author,
                reason=r.reason,
                changes=list(r.changes),
                snapshot=dict(r.snapshot),
                created_at=r.created_at,
            )
            for r in rows
        ],
    )
