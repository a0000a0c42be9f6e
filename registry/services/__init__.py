"""Services: the only code that writes the database or checks permissions.

Each is a plain function taking the session as its first argument and keyword-only
arguments after it; views and the API call the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who is asking: a signed-in user, an API token's owner, the operator's CLI or the harvester."""

    name: str
    role: str = "user"
    user_id: int | None = None
    #: An API token's scope ("read" or "write"); None for a browser session or the CLI.
    scope: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


ANONYMOUS: Actor | None = None
OPERATOR = Actor(name="operator", role="admin")
HARVESTER = Actor(name="harvester", role="system")

# Every write keeps its descriptions' rendered HTML in step (an ORM flush listener): imported with the
# services, so that no write path can miss it.
from . import rendered as _rendered  # noqa: E402, F401
