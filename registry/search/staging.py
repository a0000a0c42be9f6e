"""Documents built during a bulk load, kept in a table until the load's end writes the index once.

A load commits its entries a batch at a time and the documents are built while it goes on
(bulk.py), but writing them batch by batch would update the full-text index thousands of times.
They wait here instead, in the form they travel between processes (one string per field), and
``index_staged`` (registry/search/__init__.py) writes them all in one transaction at the end. A
load cut short leaves its staged documents and unindexed entries; the next load (or ``reindex``)
takes them up, so nothing a committed batch wrote is lost.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Float, Integer, Text, column, delete, func, insert, select, table
from sqlmodel import Session

from .documents import FIELDS, SearchDocument, document_from_row

STAGED = table(
    "search_staged",
    column("entry_id", Integer),
    *(column(name, Text) for name in FIELDS),
    column("name_keys", Text),
    column("facets", Text),
    column("boost", Float),
    column("updated_epoch", Float),
    column("terms", Text),
)


def stage(session: Session, docs: list[SearchDocument]) -> None:
    """Keep documents until the load's end (a document staged again replaces the earlier one)."""
    if docs:
        session.execute(delete(STAGED).where(STAGED.c.entry_id.in_([d.entry_id for d in docs])))
        session.execute(insert(STAGED), [d.row() for d in docs])


def count(session: Session) -> int:
    """Return how many documents wait."""
    return session.execute(select(func.count()).select_from(STAGED)).scalar_one()


def take(session: Session, *, batch_size: int = 500) -> Iterator[list[SearchDocument]]:
    """Yield the waiting documents a batch at a time in entry order, each batch removed once the
    caller asks for the next (in the caller's transaction, like what it writes from them)."""
    while True:
        rows = session.execute(select(STAGED).order_by(STAGED.c.entry_id).limit(batch_size)).mappings().all()
        if not rows:
            return
        yield [document_from_row(row) for row in rows]
        session.execute(delete(STAGED).where(STAGED.c.entry_id <= rows[-1]["entry_id"]))
