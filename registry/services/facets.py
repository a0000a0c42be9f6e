"""Facet rows: one (entry, facet, value) row each, rewritten whenever an entry changes."""

from __future__ import annotations

from sqlmodel import Session, col, delete

from ..facets import facet_values
from ..models import Entry, FacetValue


def sync_facets(session: Session, entry: Entry) -> None:
    """Rewrite an entry's facet rows in the current transaction."""
    session.exec(delete(FacetValue).where(col(FacetValue.entry_id) == entry.id))
    for facet, value in sorted(facet_values(entry)):
        assert entry.id is not None  # a stored entry: its facets are written after it
        session.add(FacetValue(entry_id=entry.id, facet=facet, value=value))
