"""Helpers shared by the pages and the API: who is asking."""
from __future__ import annotations

from flask import g
from flask_login import current_user

from ..services import Actor


def current_actor() -> Actor | None:
    """Return who is asking: an API token's owner, the signed-in person, or None for anonymous readers."""
    token_actor = g.get("api_actor")
    if token_actor is not None:
        return token_actor
    if current_user and current_user.is_authenticated:
        return current_user.actor()
    return None
