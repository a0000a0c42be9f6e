"""Claiming an entry: a token bound to a person and an entry, found by the next harvest in the source."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, col, select

from ..errors import Conflict
from ..models import Claim, Entry, Maintainer, utcnow
from . import Actor
from .entries import find_entry
from .permissions import is_maintainer, require_signed_in

CLAIM_VALID = timedelta(days=14)
CLAIM_FILE = ".ai-commons-claim"


def _digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def request_claim(session: Session, *, slug: str, actor: Actor | None) -> str:
    """Make a claim token for the actor and this entry; it goes into `.ai-commons-claim` at the source's root."""
    actor = require_signed_in(actor)
    entry = find_entry(session, slug)
    if is_maintainer(session, actor, entry):
        raise Conflict("You already maintain this entry.")
    token = f"acc-{entry.id}-{secrets.token_urlsafe(24)}"
    assert entry.id is not None  # find_entry read it from the database
    assert actor.user_id is not None  # claims are made by accounts (a session or a token)
    session.add(
        Claim(user_id=actor.user_id, entry_id=entry.id, token_hash=_digest(token), expires_at=utcnow() + CLAIM_VALID)
    )
    session.flush()
    return token


def verify_claim(session: Session, *, entry: Entry, token: str | None) -> int | None:
    """Make the claimant a maintainer when the harvested token matches a live claim on this entry.

    Returns the new maintainer's user id, or None. A token bound to another entry, an expired
    one or a used one does nothing.
    """
    if not token:
        return None
    claim = session.exec(
        select(Claim).where(col(Claim.token_hash) == _digest(token), col(Claim.entry_id) == entry.id)
    ).first()
    if claim is None or claim.verified_at is not None or claim.expires_at <= utcnow():
        return None
    claim.verified_at = utcnow()
    session.add(claim)
    exists = session.exec(
        select(Maintainer).where(col(Maintainer.user_id) == claim.user_id, col(Maintainer.entry_id) == entry.id)
    ).first()
    if exists is None:
        assert entry.id is not None  # a stored entry
        session.add(Maintainer(user_id=claim.user_id, entry_id=entry.id, via="claim"))
    return claim.user_id
