"""Facet counts of the whole index, kept in step with it, so browsing everything reads a few
hundred rows instead of every indexed entry's facets.

The table holds one row per facet pair ("facet\\x1evalue", the encoding of documents.py) and
one row under TOTAL for the number of indexed entries. Every index write adjusts it in the same
transaction, from the difference between the entries' old and new facet strings.
"""
from __future__ import annotations

from collections import Counter

from sqlalchemy import BigInteger, String, cast, column, null, select, table, text, union_all
from sqlmodel import Session

from .documents import FACET_SEP

#: The row that counts indexed entries (no facet pair is empty).
TOTAL = ""


def _pairs(facets: str | None) -> list[str]:
    # No pair is empty: an empty piece must never count under TOTAL.
    return [pair for pair in facets.split(FACET_SEP) if pair] if facets else []


def adjust(session: Session, old: dict[int, str], new: dict[int, str]) -> None:
    """Move the counts from the entries' old facet strings (absent: not indexed) to their new ones."""
    delta: Counter[str] = Counter()
    for facets in old.values():
        delta.subtract(_pairs(facets))
        delta[TOTAL] -= 1
    for facets in new.values():
        delta.update(_pairs(facets))
        delta[TOTAL] += 1
    # Sorted, so two PostgreSQL transactions touching the same rows lock them in the same order.
    changes = sorted((pair, n) for pair, n in delta.items() if n)
    if not changes:
        return
    session.execute(text("""INSERT INTO search_facet_counts (pair, n) VALUES (:pair, :n)
        ON CONFLICT (pair) DO UPDATE SET n = search_facet_counts.n + excluded.n"""),
                    [{"pair": pair, "n": n} for pair, n in changes])
    if any(n < 0 for _, n in changes):
        session.execute(text("DELETE FROM search_facet_counts WHERE n <= 0 AND pair <> :total"), {"total": TOTAL})


def reset(session: Session) -> None:
    """Forget every count (the index is being emptied)."""
    session.execute(text("DELETE FROM search_facet_counts"))


def read(session: Session, documents, leave_out=None) -> Counter[str]:
    """Return the count of every facet pair, and of all indexed entries under TOTAL.

    ``documents`` is the backend's (entry_id, facets) subquery of the index; the rows of the
    entries ``leave_out`` selects are taken off. One statement reads both, so on PostgreSQL
    one snapshot answers: a change committed between two reads cannot be taken off twice.
    """
    kept = (select(column("pair"), column("n"), cast(null(), String).label("facets"))
            .select_from(table("search_facet_counts")).where(column("n") > 0))
    parts = [kept]
    if leave_out is not None:
        parts.append(select(cast(null(), String), cast(null(), BigInteger), documents.c.facets)
                     .where(documents.c.entry_id.in_(leave_out)))
    found: Counter[str] = Counter()
    for pair, n, facets in session.connection().execute(union_all(*parts)):
        if pair is not None:
            found[pair] += n
        else:
            found.subtract(_pairs(facets))
            found[TOTAL] -= 1
    return +found


def rebuild(session: Session, facet_strings) -> None:
    """Count from scratch, from every indexed entry's facet string (for a migration)."""
    reset(session)
    adjust(session, {}, dict(enumerate(facet_strings)))
