"""Direct edits, history, revert, hiding and purging: every change becomes a revision."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from ..errors import Conflict, Invalid, NotFound, PreconditionRequired
from ..models import Entry, PurgeRecord, Revision, Source
from ..schemas import EDITABLE_FIELDS, RevisionPublic
from ..schemas.limits import PURGE_REASON_MAX, REASON_MAX
from . import Actor
from .changes import forget_entry, record_change
from .entries import find_entry, to_public
from .permissions import can_edit, can_hide, can_purge, can_revert, require, require_signed_in
from .validation import bounded, validate_changes


def check_base_revision(session: Session, entry: Entry, base_revision: Any, *, actor: Actor | None) -> None:
    """Refuse a write without a base revision (428) or based on an old one (409, with the current entry)."""
    if base_revision is None:
        raise PreconditionRequired(
            "Send base_revision: the revision your change is based on.", details={"current_revision": entry.revision}
        )
    if isinstance(base_revision, bool) or not isinstance(base_revision, int):
        raise Invalid("base_revision must be an integer", details={"fields": {"base_revision": "an integer"}})
    if base_revision != entry.revision:
        raise Conflict(
            f"The entry changed since revision {base_revision}: it is at revision {entry.revision} now. "
            "Review the current version and apply your change again.",
            details={
                "current": to_public(session, entry, actor=actor).model_dump(mode="json"),
                "base_revision": base_revision,
            },
        )


def apply_fields(entry: Entry, clean: dict[str, Any], *, editor: str) -> list[str]:
    """Set changed fields and lock each against harvests; return the names that changed."""
    changed = []
    provenance = dict(entry.provenance)
    for name, value in clean.items():
        if getattr(entry, name) == value:
            continue
        setattr(entry, name, value)
        provenance[name] = {"edited_by": editor}
        changed.append(name)
    entry.provenance = provenance
    return changed


def edit_entry(
    session: Session, *, slug: str, actor: Actor | None, changes: dict[str, Any], base_revision: Any, reason: str = ""
) -> Entry:
    """Edit an entry directly (maintainers, moderators, admins); edited fields are locked against harvests."""
    actor = require_signed_in(actor)
    entry = find_entry(session, slug)
    require(
        can_edit(session, actor, entry),
        "Only the entry's maintainers and moderators edit it directly; propose your change instead.",
    )
    check_base_revision(session, entry, base_revision, actor=actor)
    reason = bounded(reason, field="reason", limit=REASON_MAX)
    clean = validate_changes(changes)
    changed = apply_fields(entry, clean, editor=actor.name)
    if changed:
        record_change(session, entry, author=actor.name, reason=reason or "edit", changes=changed)
    return entry


def unlock_field(session: Session, *, slug: str, actor: Actor | None, field: str, base_revision: Any) -> Entry:
    """Let harvests write a field again, bringing back the value the last harvest found."""
    actor = require_signed_in(actor)
    entry = find_entry(session, slug)
    require(can_edit(session, actor, entry), "Only maintainers and moderators unlock fields.")
    check_base_revision(session, entry, base_revision, actor=actor)
    if field not in EDITABLE_FIELDS or "edited_by" not in entry.provenance.get(field, {}):
        raise Invalid(f"{field!r} is not locked", details={"fields": {"field": "not locked"}})
    provenance = dict(entry.provenance)
    harvested = dict(entry.harvested_values)
    shadow = harvested.pop(field, None)
    if shadow is not None:
        setattr(entry, field, shadow["value"])
        provenance[field] = {k: v for k, v in shadow.items() if k != "value"}
    else:
        provenance.pop(field)
    entry.provenance, entry.harvested_values = provenance, harvested
    record_change(session, entry, author=actor.name, reason=f"unlocked {field}", changes=[field])
    return entry


def list_revisions(session: Session, *, slug: str) -> list[RevisionPublic]:
    """Return an entry's revisions, newest first."""
    entry = find_entry(session, slug)
    rows = session.exec(
        select(Revision).where(col(Revision.entry_id) == entry.id).order_by(col(Revision.number).desc())
    )
    return [
        RevisionPublic(
            revision=r.number,
            author=r.author,
            reason=r.reason,
            changes=list(r.changes),
            created_at=r.created_at,
            snapshot=dict(r.snapshot),
        )
        for r in rows
    ]


def revert_entry(
    session: Session, *, slug: str, actor: Actor | None, revision: Any, base_revision: Any, reason: str = ""
) -> Entry:
    """Bring an entry back to an earlier revision's content; the revert is itself a new revision."""
    actor = require_signed_in(actor)
    entry = find_entry(session, slug)
    require(can_revert(session, actor, entry), "Only the entry's maintainers and moderators revert it.")
    check_base_revision(session, entry, base_revision, actor=actor)
    reason = bounded(reason, field="reason", limit=REASON_MAX)
    if isinstance(revision, bool) or not isinstance(revision, int):
        raise Invalid("revision must be an integer", details={"fields": {"revision": "an integer"}})
    old = session.exec(
        select(Revision).where(col(Revision.entry_id) == entry.id, col(Revision.number) == revision)
    ).first()
    if old is None:
        raise NotFound(f"{slug} has no revision {revision}.")
    restored = {name: old.snapshot[name] for name in EDITABLE_FIELDS if name in old.snapshot}
    changed = apply_fields(entry, restored, editor=actor.name)
    record_change(session, entry, author=actor.name, reason=reason or f"revert to revision {revision}", changes=changed)
    return entry


def set_hidden(session: Session, *, slug: str, actor: Actor | None, hidden: bool, reason: str) -> Entry:
    """Hide an entry (soft, with a reason) or show it again; both are revisions."""
    actor = require_signed_in(actor)
    require(can_hide(actor), "Only moderators and admins hide entries.")
    entry = session.exec(select(Entry).where(col(Entry.slug) == slug.lower(), col(Entry.deleted_at).is_(None))).first()
    if entry is None:
        raise NotFound(f"No entry {slug!r} is registered.")
    reason = bounded(reason, field="reason", limit=REASON_MAX)
    if hidden and not reason:
        raise Invalid("Say why the entry is hidden.", details={"fields": {"reason": "required"}})
    entry.hidden = hidden
    entry.hidden_reason = reason.strip() if hidden else None
    record_change(
        session,
        entry,
        author=actor.name,
        reason=("hidden: " if hidden else "shown again: ") + reason,
        changes=["hidden"],
    )
    return entry


def purge_entry(session: Session, *, slug: str, actor: Actor | None, reason: str) -> PurgeRecord:
    """Remove an entry and its history for good (leaked secrets, personal data), leaving a record."""
    actor = require_signed_in(actor)
    require(can_purge(actor), "Only an admin purges.")
    reason = bounded(reason, field="reason", limit=PURGE_REASON_MAX)
    if len(reason) < 10:
        raise Invalid("A purge needs a reason of at least 10 characters.", details={"fields": {"reason": "required"}})
    entry = session.exec(select(Entry).where(col(Entry.slug) == slug.lower())).first()
    if entry is None:
        raise NotFound(f"No entry {slug!r} is registered.")
    record = PurgeRecord(slug=entry.slug, actor=actor.name, reason=reason.strip())
    session.add(record)
    # The source stays known (so it is not harvested back in) but loses its link.
    for src in session.exec(select(Source).where(col(Source.entry_id) == entry.id)):
        src.entry_id = None
        src.last_commit = None
        session.add(src)
    forget_entry(session, entry)
    session.delete(entry)
    session.flush()
    return record
