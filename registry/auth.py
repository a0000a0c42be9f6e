"""Who is acting: the signed-in person of a page, or the owner of an API bearer token."""

from __future__ import annotations

from flask import g, request
from flask_login import current_user

from .db import read_session
from .errors import Unauthorized
from .services import Actor
from .services.tokens import authenticate_token


def current_actor() -> Actor | None:
    """Return who is asking: an API token's owner, the signed-in person, or None for anonymous readers."""
    token_actor = g.get("api_actor")
    if token_actor is not None:
        return token_actor
    if current_user and current_user.is_authenticated:
        return current_user.actor()
    return None


def authenticate_bearer() -> None:
    """Read `Authorization: Bearer <token>` into the request; a header that is present but wrong is a 401."""
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use `Authorization: Bearer <token>`.")
    g.api_actor = authenticate_token(read_session(), token)
    return None
