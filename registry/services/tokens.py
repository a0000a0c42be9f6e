"""API tokens: shown once, stored as SHA-256, scoped read or write, with an expiry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlmodel import Session, col, select

from ..errors import Invalid, NotFound, Unauthorized
from ..models import ApiToken, User, utcnow
from ..schemas import TokenPublic
from ..schemas.limits import TOKEN_NAME_MAX
from . import Actor
from .validation import bounded

TOKEN_PREFIX = "acr_"
SCOPES = ("read", "write")
DEFAULT_DAYS = 365


def _digest(token: str) -> str:
    # Tokens are long random strings, so a fast hash is enough (no dictionary to attack).
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session, *, user_name: str, scope: str = "read", name: str = "", days: int | None = DEFAULT_DAYS
) -> tuple[str, TokenPublic]:
    """Create a token for a user; return the token (shown once) and its public shape."""
    if scope not in SCOPES:
        raise Invalid(f"scope must be one of {', '.join(SCOPES)}", details={"field": "scope"})
    user = session.exec(select(User).where(col(User.name) == user_name.lower(), col(User.deleted_at).is_(None))).first()
    if user is None:
        raise NotFound(f"No account named {user_name!r}.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    assert user.id is not None  # read from the database, so it has its id
    row = ApiToken(
        user_id=user.id,
        name=bounded(name, field="name", limit=TOKEN_NAME_MAX),
        token_hash=_digest(token),
        prefix=token[:12],
        scope=scope,
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    session.add(row)
    session.flush()
    return token, TokenPublic.model_validate(row)


def list_tokens(session: Session, *, actor: Actor) -> list[TokenPublic]:
    """Return the actor's live tokens (never the secrets)."""
    rows = session.exec(
        select(ApiToken)
        .where(col(ApiToken.user_id) == actor.user_id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.id))
    )
    return [TokenPublic.model_validate(row) for row in rows]


def revoke_token(session: Session, *, actor: Actor, token_id: int) -> None:
    """Revoke one of the actor's tokens."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != actor.user_id or row.revoked_at is not None:
        raise NotFound("No such token.")
    row.revoked_at = utcnow()
    session.add(row)


def authenticate_token(session: Session, token: str) -> Actor:
    """Return the actor a bearer token stands for, or raise 401 with the reason."""
    row = session.exec(select(ApiToken).where(col(ApiToken.token_hash) == _digest(token.strip()))).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("The API token is not valid.")
    if row.expires_at is not None and row.expires_at <= utcnow():
        raise Unauthorized("The API token has expired.")
    user = session.get(User, row.user_id)
    if user is None or user.deleted_at is not None:
        raise Unauthorized("The API token's account no longer exists.")
    return Actor(name=user.name, role=user.role, user_id=user.id, scope=row.scope)


def revoke_all_tokens(session: Session, *, user_id: int) -> None:
    """Revoke every live token of an account."""
    for row in session.exec(
        select(ApiToken).where(col(ApiToken.user_id) == user_id, col(ApiToken.revoked_at).is_(None))
    ):
        row.revoked_at = utcnow()
        session.add(row)
