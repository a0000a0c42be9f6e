"""Proposals: edits and translations from anyone, reviewed by maintainers and moderators."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from harvesters.language import normalize_tag

from ..errors import Conflict, Invalid, NotFound
from ..models import Entry, Proposal, Revision, Translation, User, utcnow
from ..schemas import ProposalPublic
from ..schemas.entries import TEXT_FIELDS
from ..schemas.limits import NOTE_MAX
from . import Actor
from .changes import record_change
from .editing import apply_fields, check_base_revision
from .entries import find_entry
from .permissions import can_edit, can_review, is_staff, require, require_signed_in
from .validation import bounded, validate_changes

MAX_OPEN_PER_USER = 50


def _author_id(session: Session, actor: Actor) -> int:
    if actor.user_id is None:
        raise Invalid("Proposals need an account.")
    return actor.user_id


def _check_quota(session: Session, user_id: int) -> None:
    open_count = len(
        session.exec(
            select(Proposal.id).where(col(Proposal.author_id) == user_id, col(Proposal.status) == "open")
        ).all()
    )
    if open_count >= MAX_OPEN_PER_USER:
        raise Conflict(
            f"You have {open_count} open proposals; wait for some to be reviewed.", code="too_many_open_proposals"
        )


def propose_edit(
    session: Session, *, slug: str, actor: Actor | None, changes: dict[str, Any], base_revision: Any, note: str = ""
) -> Proposal:
    """Suggest changes to an entry's fields."""
    actor = require_signed_in(actor)
    entry = find_entry(session, slug)
    check_base_revision(session, entry, base_revision, actor=actor)
    clean = validate_changes(changes)
    clean = {k: v for k, v in clean.items() if getattr(entry, k) != v}
    if not clean:
        raise Invalid("The proposal changes nothing.")
    user_id = _author_id(session, actor)
    _check_quota(session, user_id)
    assert entry.id is not None  # read from the database, so it has its id
    proposal = Proposal(
        entry_id=entry.id,
        author_id=user_id,
        kind="edit",
        changes=clean,
        base_revision=entry.revision,
        note=bounded(note, field="note", limit=NOTE_MAX),
    )
    session.add(proposal)
    session.flush()
    return proposal


def _clean_translation(entry: Entry, lang: str, text: dict[str, Any]) -> tuple[str, dict[str, str]]:
    tag = normalize_tag(lang or "")
    if tag is None:
        raise Invalid(f"{lang!r} is not a language tag", details={"fields": {"lang": "not a language tag"}})
    if tag == entry.language:
        raise Invalid(
            "That is the entry's own language; propose an edit instead.",
            details={"fields": {"lang": "the entry's own language"}},
        )
    clean = validate_changes({k: text.get(k) or "" for k in TEXT_FIELDS if k in text})
    if not clean.get("name"):
        raise Invalid("A translation needs at least a name.", details={"fields": {"name": "required"}})
    return tag, {k: clean.get(k, "") for k in TEXT_FIELDS}


def submit_translation(
    session: Session, *, slug: str, actor: Actor | None, lang: str, text: dict[str, Any], base_revision: Any
) -> Proposal | Translation:
    """Translate an entry: maintainers and moderators publish directly, everyone else proposes."""
    actor = require_signed_in(actor)
    entry = find_entry(session, slug)
    check_base_revision(session, entry, base_revision, actor=actor)
    tag, clean = _clean_translation(entry, lang, text)
    if can_edit(session, actor, entry):
        return _publish_translation(session, entry, tag, clean, origin="maintainer", reviewer=None, author=actor.name)
    user_id = _author_id(session, actor)
    _check_quota(session, user_id)
    assert entry.id is not None  # read from the database, so it has its id
    proposal = Proposal(
        entry_id=entry.id, author_id=user_id, kind="translation", lang=tag, changes=clean, base_revision=entry.revision
    )
    session.add(proposal)
    session.flush()
    return proposal


def _publish_translation(
    session: Session, entry: Entry, lang: str, text: dict[str, str], *, origin: str, reviewer: str | None, author: str
) -> Translation:
    tr = session.exec(
        select(Translation).where(col(Translation.entry_id) == entry.id, col(Translation.lang) == lang)
    ).first()
    if tr is None:
        assert entry.id is not None  # a stored entry
        tr = Translation(entry_id=entry.id, lang=lang)
    tr.name, tr.summary, tr.description = text["name"], text["summary"], text["description"]
    tr.origin, tr.reviewed_by, tr.origin_file, tr.updated_at = origin, reviewer, None, utcnow()
    session.add(tr)
    session.flush()
    record_change(session, entry, author=author, reason=f"translation into {lang}", changes=[f"translation:{lang}"])
    return tr


def _get(session: Session, proposal_id: int) -> tuple[Proposal, Entry]:
    proposal = session.get(Proposal, proposal_id)
    entry = session.get(Entry, proposal.entry_id) if proposal else None
    if proposal is None or entry is None or entry.deleted_at is not None:
        raise NotFound(f"No proposal {proposal_id}.")
    return proposal, entry


def _get_visible(session: Session, proposal_id: int, actor: Actor) -> tuple[Proposal, Entry]:
    """The proposal if the actor may see it (its author, the entry's reviewers); else the same 404 as
    for one that does not exist, so ids cannot be probed for what exists."""
    proposal, entry = _get(session, proposal_id)
    if proposal.author_id != actor.user_id and not can_review(session, actor, entry):
        raise NotFound(f"No proposal {proposal_id}.")
    return proposal, entry


def decide_proposal(
    session: Session, *, proposal_id: int, actor: Actor | None, accept: bool, note: str = ""
) -> Proposal:
    """Accept (apply as a new revision) or reject a proposal, with a note the author sees."""
    actor = require_signed_in(actor)
    proposal, entry = _get_visible(session, proposal_id, actor)
    if entry.hidden and not is_staff(actor):
        # A hidden entry is out of its maintainers' hands (no edits, reverts or proposals) until shown again.
        raise NotFound(f"No proposal {proposal_id}.")
    require(can_review(session, actor, entry), "Only the entry's maintainers and moderators review proposals.")
    if proposal.status != "open":
        raise Conflict(f"This proposal is already {proposal.status}.")
    if accept:
        author = session.get(User, proposal.author_id) if proposal.author_id else None
        author_name = author.name if author else "deleted account"
        if proposal.kind == "translation":
            assert proposal.lang is not None  # a translation proposal always names its language
            _publish_translation(
                session,
                entry,
                proposal.lang,
                proposal.changes,
                origin="community",
                reviewer=actor.name,
                author=author_name,
            )
        else:
            _check_still_applies(session, entry, proposal)
            changed = apply_fields(entry, proposal.changes, editor=author_name)
            if changed:
                record_change(
                    session,
                    entry,
                    author=author_name,
                    reason=f"proposal {proposal.id}, accepted by {actor.name}",
                    changes=changed,
                )
    proposal.status = "accepted" if accept else "rejected"
    proposal.reviewer_id = actor.user_id
    proposal.note = bounded(note, field="note", limit=NOTE_MAX) or proposal.note
    proposal.decided_at = utcnow()
    session.add(proposal)
    session.flush()
    return proposal


def _check_still_applies(session: Session, entry: Entry, proposal: Proposal) -> None:
    # A field someone else changed since the proposal was written would be silently
    # overwritten: refuse, and let the reviewer look at both.
    if entry.revision == proposal.base_revision:
        return
    base = session.exec(
        select(Revision).where(col(Revision.entry_id) == entry.id, col(Revision.number) == proposal.base_revision)
    ).first()
    moved = [k for k in proposal.changes if base is None or base.snapshot.get(k) != getattr(entry, k)]
    if moved:
        raise Conflict(
            f"{', '.join(moved)} changed since the proposal was written; reject it or ask for a new one.",
            details={"fields": moved, "current_revision": entry.revision},
        )


def withdraw_proposal(session: Session, *, proposal_id: int, actor: Actor | None) -> Proposal:
    """Let the author take back an open proposal."""
    actor = require_signed_in(actor)
    proposal, _entry = _get_visible(session, proposal_id, actor)
    require(proposal.author_id == actor.user_id, "Only the author withdraws a proposal.")
    if proposal.status != "open":
        raise Conflict(f"This proposal is already {proposal.status}.")
    proposal.status, proposal.decided_at = "withdrawn", utcnow()
    session.add(proposal)
    return proposal


def _view(
    session: Session, proposal: Proposal, entry: Entry, names: dict[int | None, str], *, shown: bool
) -> ProposalPublic:
    if not shown:
        # A hidden (or deleted) entry's text is not the proposer's to read: their own proposal and
        # its outcome stay visible, the entry's current values and name do not.
        original: dict[str, Any] = {}
    elif proposal.kind == "translation":
        original = {k: getattr(entry, k) for k in TEXT_FIELDS}
    else:
        original = {k: getattr(entry, k) for k in proposal.changes}
    assert proposal.id is not None  # read from the database, so it has its id
    return ProposalPublic(
        id=proposal.id,
        slug=entry.slug,
        entry_name=entry.name if shown else entry.slug,
        kind=proposal.kind,
        lang=proposal.lang,
        changes=dict(proposal.changes),
        original=original,
        base_revision=proposal.base_revision,
        status=proposal.status,
        author=names.get(proposal.author_id),
        reviewer=names.get(proposal.reviewer_id),
        note=proposal.note,
        created_at=proposal.created_at,
        decided_at=proposal.decided_at,
    )


def _views(session: Session, rows: list[tuple[Proposal, Entry]], actor: Actor) -> list[ProposalPublic]:
    ids = {i for p, _ in rows for i in (p.author_id, p.reviewer_id) if i}
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all()) if ids else {}
    staff = is_staff(actor)
    return [_view(session, p, e, names, shown=staff or (not e.hidden and e.deleted_at is None)) for p, e in rows]


def review_queue(session: Session, *, actor: Actor | None) -> list[ProposalPublic]:
    """Open proposals the actor may review: all for moderators, their entries' for maintainers."""
    from ..models import Maintainer

    actor = require_signed_in(actor)
    stmt = (
        select(Proposal, Entry)
        .join(Entry, col(Entry.id) == Proposal.entry_id)
        .where(col(Proposal.status) == "open", col(Entry.deleted_at).is_(None))
        .order_by(col(Proposal.id))
    )
    if not is_staff(actor):
        stmt = stmt.where(
            col(Entry.hidden) == False,  # noqa: E712 (SQL)
            col(Entry.id).in_(select(Maintainer.entry_id).where(col(Maintainer.user_id) == actor.user_id)),
        )
    return _views(session, list(session.exec(stmt).all()), actor)


def my_proposals(session: Session, *, actor: Actor | None) -> list[ProposalPublic]:
    """The actor's own proposals with their outcome, newest first."""
    actor = require_signed_in(actor)
    stmt = (
        select(Proposal, Entry)
        .join(Entry, col(Entry.id) == Proposal.entry_id)
        .where(col(Proposal.author_id) == actor.user_id)
        .order_by(col(Proposal.id).desc())
    )
    return _views(session, list(session.exec(stmt).all()), actor)


def get_proposal(session: Session, *, proposal_id: int, actor: Actor | None) -> ProposalPublic:
    """One proposal, visible to its author and its reviewers (404 for anyone else)."""
    actor = require_signed_in(actor)
    proposal, entry = _get_visible(session, proposal_id, actor)
    return _views(session, [(proposal, entry)], actor)[0]
