"""A collection's title and description in other languages: curators publish, everyone else proposes."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from harvesters.language import normalize_tag

from ..errors import Conflict, Invalid, NotFound
from ..models import Collection, CollectionProposal, CollectionTranslation, User, utcnow
from ..schemas import CollectionProposalPublic
from ..schemas.limits import COLLECTION_TEXT_MAX as _MAX
from ..schemas.limits import NOTE_MAX
from . import Actor
from .collections import find_collection
from .communities import clean_text
from .permissions import can_curate_collection, require, require_signed_in
from .validation import bounded

MAX_OPEN_PER_USER = 50


def _clean(collection: Collection, lang: str, text: dict[str, Any]) -> tuple[str, dict[str, str]]:
    tag = normalize_tag(lang or "")
    if tag is None:
        raise Invalid(f"{lang!r} is not a language tag", details={"fields": {"lang": "not a language tag"}})
    if tag == collection.language:
        raise Invalid(
            "That is the collection's own language; edit the collection instead.",
            details={"fields": {"lang": "the collection's own language"}},
        )
    return tag, {
        "title": clean_text("title", text.get("title"), limit=_MAX["title"], required=True),
        "description": clean_text("description", text.get("description"), limit=_MAX["description"]),
    }


def _publish(
    session: Session, collection: Collection, lang: str, text: dict[str, str], *, origin: str, reviewer: str | None
) -> CollectionTranslation:
    tr = session.exec(
        select(CollectionTranslation).where(
            CollectionTranslation.collection_id == collection.id, CollectionTranslation.lang == lang
        )
    ).first()
    if tr is None:
        assert collection.id is not None  # read from the database, so it has its id
        tr = CollectionTranslation(collection_id=collection.id, lang=lang)
    tr.title, tr.description = text["title"], text.get("description", "")
    tr.origin, tr.reviewed_by, tr.updated_at = origin, reviewer, utcnow()
    session.add(tr)
    collection.updated_at = utcnow()
    session.add(collection)
    session.flush()
    return tr


def submit_collection_translation(
    session: Session, *, slug: str, actor: Actor | None, lang: str, text: dict[str, Any]
) -> CollectionProposal | CollectionTranslation:
    """Translate a collection: its curators publish directly, everyone else proposes for review."""
    actor = require_signed_in(actor)
    collection = find_collection(session, slug)
    tag, clean = _clean(collection, lang, text)
    if can_curate_collection(session, actor, collection):
        return _publish(session, collection, tag, clean, origin="curator", reviewer=None)
    if actor.user_id is None:
        raise Invalid("Proposals need an account.")
    open_count = len(
        session.exec(
            select(CollectionProposal.id).where(
                CollectionProposal.author_id == actor.user_id, CollectionProposal.status == "open"
            )
        ).all()
    )
    if open_count >= MAX_OPEN_PER_USER:
        raise Conflict(
            f"You have {open_count} open proposals; wait for some to be reviewed.", code="too_many_open_proposals"
        )
    assert collection.id is not None  # find_collection read it from the database
    proposal = CollectionProposal(collection_id=collection.id, author_id=actor.user_id, lang=tag, changes=clean)
    session.add(proposal)
    session.flush()
    return proposal


def decide_collection_proposal(
    session: Session, *, slug: str, proposal_id: int, actor: Actor | None, accept: bool, note: str = ""
) -> CollectionProposal:
    """Accept (publish as a community translation) or reject a proposed translation of collection ``slug``."""
    actor = require_signed_in(actor)
    proposal = session.get(CollectionProposal, proposal_id) if 0 < proposal_id < 2**63 else None
    collection = session.get(Collection, proposal.collection_id) if proposal else None
    # A proposal of another collection, addressed through this one's URL, is not found here.
    if proposal is None or collection is None or collection.slug != slug:
        raise NotFound(f"No proposal {proposal_id} on this collection.")
    require(can_curate_collection(session, actor, collection), "Only the collection's curators review translations.")
    if proposal.status != "open":
        raise Conflict(f"This proposal is already {proposal.status}.")
    if accept:
        _publish(session, collection, proposal.lang, proposal.changes, origin="community", reviewer=actor.name)
    proposal.status = "accepted" if accept else "rejected"
    proposal.reviewer_id, proposal.decided_at = actor.user_id, utcnow()
    proposal.note = bounded(note, field="note", limit=NOTE_MAX)
    session.add(proposal)
    session.flush()
    return proposal


def collection_proposals(
    session: Session, *, slug: str, actor: Actor | None, status: str = "open"
) -> list[CollectionProposalPublic]:
    """Return a collection's proposals: curators see all, others their own."""
    collection = find_collection(session, slug)
    stmt = (
        select(CollectionProposal)
        .where(CollectionProposal.collection_id == collection.id, CollectionProposal.status == status)
        .order_by(col(CollectionProposal.id))
    )
    if not can_curate_collection(session, actor, collection):
        if not actor or actor.user_id is None:
            return []
        stmt = stmt.where(CollectionProposal.author_id == actor.user_id)
    rows = list(session.exec(stmt))
    ids = {i for p in rows for i in (p.author_id, p.reviewer_id) if i}
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all()) if ids else {}
    shown: list[CollectionProposalPublic] = []
    for p in rows:
        assert p.id is not None  # read from the database, so it has its id
        shown.append(
            CollectionProposalPublic(
                id=p.id,
                collection=collection.slug,
                lang=p.lang,
                title=p.changes.get("title", ""),
                description=p.changes.get("description", ""),
                original_title=collection.title,
                original_description=collection.description,
                status=p.status,
                author=names.get(p.author_id),
                reviewer=names.get(p.reviewer_id),
                note=p.note,
                created_at=p.created_at,
            )
        )
    return shown
