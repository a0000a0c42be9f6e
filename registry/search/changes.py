"""Change notes of the search index: a counter and the changed entries, in each writer's transaction.

Every index write bumps one counter row (``search_index_state``, migration 0010) and notes the
entry ids it touched (``search_index_changes``). The in-memory copies (memory.py) read the
counter before each query and, when it moved, read the noted entries again. The counter's row
lock orders the writers, so notes are read in the order their transactions committed.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, text
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

#: Notes of changes kept in the database; a copy further behind reads everything again.
KEEP_CHANGES = 50_000


def note_changes(session: Session, entry_ids: Iterable[int]) -> None:
    """Record that these entries' index rows changed (call in the transaction that changed them)."""
    ids = sorted(set(entry_ids))
    if not ids or session.info.get("search_index_reset"):
        return  # after a reset in this transaction every copy reads everything anyway
    generation = _bump(session, reset=False)
    session.execute(
        text("INSERT INTO search_index_changes (generation, entry_id) VALUES (:g, :e)"),
        [{"g": generation, "e": i} for i in ids],
    )
    if generation % 1000 == 0:
        session.execute(
            text("DELETE FROM search_index_changes WHERE generation < :g"), {"g": generation - KEEP_CHANGES}
        )
    session.info["search_index_written"] = True


def note_reset(session: Session) -> None:
    """Record that the whole index was emptied (a rebuild): every copy reads everything again."""
    _bump(session, reset=True)
    session.execute(text("DELETE FROM search_index_changes"))
    session.info["search_index_written"] = session.info["search_index_reset"] = True


def _transaction_ended(session: OrmSession) -> None:
    session.info.pop("search_index_written", None)
    session.info.pop("search_index_reset", None)


def bind() -> None:
    """Forget a session's index marks when its transaction ends (bound once per process)."""
    for name in ("after_commit", "after_rollback"):
        if not event.contains(OrmSession, name, _transaction_ended):
            event.listen(OrmSession, name, _transaction_ended)


def _bump(session: Session, *, reset: bool) -> int:
    # One row: its lock makes index writers commit in the order of their numbers.
    extra = ", reset_generation = generation + 1" if reset else ""
    return session.execute(
        text(f"UPDATE search_index_state SET generation = generation + 1{extra} WHERE id = 1 RETURNING generation")
    ).scalar_one()
