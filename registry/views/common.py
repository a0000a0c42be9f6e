"""Helpers shared by the pages and the API: who is asking."""
from __future__ import annotations

from flask_login import current_user

from ..services import Actor


def current_actor() -> Actor | None:
    """Return the signed-in person as an Actor, or None for anonymous readers."""
    if current_user and current_user.is_authenticated:
        return Actor(name=current_user.name, role=current_user.role)
    return None
