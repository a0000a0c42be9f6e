"""The search backends: one small interface, SQLite FTS5 and PostgreSQL full text, chosen by the database."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from sqlmodel import Session

from .documents import SearchDocument
from .postgres import PostgresBackend
from .query import ParsedQuery
from .sqlite import SQLiteBackend


class SearchBackend(Protocol):
    """What list_entries and the index writers need from a search engine."""

    name: str

    def matches(self, query: ParsedQuery):
        """Return a subquery with columns entry_id, score (higher is better), exact (1 for a name match) and codes."""

    def match_ids(self, query: ParsedQuery):
        """Return a subquery (entry_id, codes) of the same matches, without ranking work (codes: see counts.py)."""

    def holds(self, query: ParsedQuery):
        """Return a condition on `entries` true when the entry matches (checked one entry at a time, in a walk)."""

    def documents(self):
        """Return a subquery (entry_id, facets, codes) of every indexed entry."""

    def concatenate(self, column, separator: str):
        """Return the SQL aggregate that joins a column's values with a separator."""

    def facets_of(self, session: Session, entry_ids: list[int]) -> dict[int, str]:
        """Return the indexed facet strings of those of these entries that are in the index."""

    def replace_documents(self, session: Session, docs: list[SearchDocument], *, facet_counts: bool = True) -> None:
        """Insert or update the index rows of these entries (and the facet counts and codes) in the session's
        transaction; ``facet_counts=False`` only while migrating, before the tables of 0008 and 0009 exist."""

    def delete_documents(self, session: Session, entry_ids: list[int]) -> None:
        """Remove these entries from the index (and from the facet counts)."""

    def clear(self, session: Session, *, facet_counts: bool = True) -> None:
        """Empty the index (and the facet counts)."""

    def rebuilding(self, session: Session, *, facet_counts: bool = True) -> AbstractContextManager[None]:
        """Empty the index, let the caller add every document with replace_documents, then finish the
        index (a context manager, in the caller's transaction)."""

    def adding(self, session: Session, count: int) -> AbstractContextManager[None]:
        """Around the writing of ``count`` new documents at once (a load's end): the backend may build
        its full-text index in one pass afterwards instead of row by row."""

    def known_terms(self, session: Session, candidates: list[str]) -> set[str]:
        """Return the candidates that are indexed words."""

    def terms_containing(self, session: Session, fragment: str, limit: int) -> list[str]:
        """Return indexed words that contain the fragment."""

    def phrase_ids(self, session: Session, clause) -> list[int]:
        """Return the ids of the indexed entries that hold a phrase clause, positions checked."""

    def memory_rows(self, session: Session, entry_ids: list[int] | None):
        """Yield segments.Row for these entries' index rows (None: every row), in entry order."""

    def size_bytes(self, session: Session) -> int:
        """Return the size of the database in bytes."""


_BACKENDS: dict[str, SearchBackend] = {"sqlite": SQLiteBackend(), "postgresql": PostgresBackend()}


def backend_for(session: Session) -> SearchBackend:
    """Return the backend of the session's database."""
    dialect = session.get_bind().dialect.name
    try:
        return _BACKENDS[dialect]
    except KeyError:
        raise RuntimeError(f"no search backend for the {dialect!r} database") from None
