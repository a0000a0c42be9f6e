"""Whether the database answers, for the health check of load balancers and monitors."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session


def database_status(session: Session) -> str:
    """Return "ok" when the database answers a trivial query, else "error: <kind of error>"."""
    try:
        session.exec(text("SELECT 1"))  # type: ignore[call-overload]  # (exec is typed for select())
    except Exception as err:  # any driver error means the database is not usable
        return f"error: {type(err).__name__}"
    return "ok"
