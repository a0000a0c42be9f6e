"""PostgreSQL backend: a stored, weighted tsvector with a GIN index, and pg_trgm over the vocabulary."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import regex
from sqlalchemy import Float, Integer, String, func, text
from sqlmodel import Session

from . import changes, counts
from .documents import FIELDS, FRESHNESS_SECONDS, SearchDocument
from .query import LANGUAGE_MARK, Clause, ParsedQuery
from .segments import Row

#: tsvector weight letter of each field: name A, tags and languages B, summary C, description D.
FIELD_WEIGHTS = {"name": "A", "tags": "B", "langs": "B", "summary": "C", "description": "D"}
#: ts_rank's weights for {D, C, B, A}.
RANK_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"
#: PostgreSQL keeps at most 256 positions per lexeme and positions up to 16383.
_MAX_POSITIONS = 255
_MAX_POSITION = 16383
#: Gap between fields, so a phrase never matches across the end of one field and the start of the next.
_FIELD_GAP = 8


def _quote(token: str) -> str:
    # tsvector and tsquery literals: single quotes doubled and backslashes escaped make any
    # string one lexeme; no text search parser runs, so both backends see the same tokens.
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(doc: SearchDocument) -> str:
    """Return the tsvector input text of a document, with positions and a weight per field."""
    positions: dict[str, list[str]] = defaultdict(list)
    pos = 0
    for name, weight in FIELD_WEIGHTS.items():
        for tok in doc.fields[name]:
            pos += 1
            if len(positions[tok]) < _MAX_POSITIONS:
                positions[tok].append(f"{min(pos, _MAX_POSITION)}{weight}")
        pos += _FIELD_GAP
    return " ".join(f"{_quote(tok)}:{','.join(p)}" for tok, p in positions.items())


def _phrase(clause: Clause) -> str:
    parts = [_quote(t) for t in clause.tokens]
    if clause.prefix:
        parts[-1] += ":*"
    return "(" + " <-> ".join(parts) + ")"


def tsquery_literal(query: ParsedQuery) -> str:
    """Return the tsquery input text of a parsed query."""
    expr = " & ".join("(" + " | ".join(_phrase(c) for c in g.clauses) + ")" for g in query.groups)
    if query.excluded:
        expr = f"({expr}) & !(" + " | ".join(_phrase(c) for c in query.excluded) + ")"
    return expr


# Reading index rows back for the in-memory copy: tsvector text as PostgreSQL prints it.
_LEXEME = regex.compile(r"'((?:[^']|'')*)'(?::([0-9A-D,]+))?")
_POSITION = regex.compile(r"(\d+)([A-D]?)")
_WEIGHT_FIELD = {"A": "name", "C": "summary", "D": "description"}


def fields_from_tsvector(value: str) -> dict[str, list[str]]:
    """Return a tsvector's tokens per field, in position order (B is tags, or langs for a language mark)."""
    placed: list[tuple[int, str, str]] = []
    for lexeme, positions in _LEXEME.findall(value):
        token = lexeme.replace("''", "'").replace("\\\\", "\\")
        for pos, weight in _POSITION.findall(positions or ""):
            weight = weight or "D"
            if weight == "B":
                name = "langs" if token.startswith(LANGUAGE_MARK) else "tags"
            else:
                name = _WEIGHT_FIELD[weight]
            placed.append((int(pos), name, token))
    placed.sort()
    fields: dict[str, list[str]] = {name: [] for name in FIELDS}
    for _, name, token in placed:
        fields[name].append(token)
    return fields


class PostgresBackend:
    """Search on PostgreSQL full text and pg_trgm."""

    name = "postgres"

    def matches(self, query: ParsedQuery):
        """Return a subquery of (entry_id, score, exact, codes) for the entries the query matches."""
        stmt = text(f"""
            SELECT d.entry_id AS entry_id,
                   ts_rank('{RANK_WEIGHTS}', d.document, q.query, 1) * d.boost
                     * (1.0 + 0.25 / (1.0 + (:now - d.updated_epoch) / {FRESHNESS_SECONDS})) AS score,
                   CAST(strpos(d.name_keys, :name_key) > 0 AS INTEGER) AS exact, d.facet_codes AS codes
            FROM search_documents AS d, (SELECT CAST(:expr AS tsquery) AS query) AS q
            WHERE d.document @@ q.query""").bindparams(
            expr=tsquery_literal(query), name_key=f"|{query.key}|", now=time.time()
        )
        return stmt.columns(entry_id=Integer, score=Float, exact=Integer, codes=String).subquery("text_matches")

    def match_ids(self, query: ParsedQuery):
        """Return a subquery of (entry_id, codes) of the matches, for counting: no ranking work."""
        stmt = text(
            "SELECT entry_id, facet_codes AS codes FROM search_documents WHERE document @@ CAST(:expr AS tsquery)"
        ).bindparams(expr=tsquery_literal(query))
        return stmt.columns(entry_id=Integer, codes=String).subquery("text_ids")

    def holds(self, query: ParsedQuery):
        """Return a condition on `entries` that is true when the entry matches the query (one entry at a time)."""
        return text(
            "EXISTS (SELECT 1 FROM search_documents AS held WHERE held.entry_id = entries.id "
            "AND held.document @@ CAST(:held AS tsquery))"
        ).bindparams(held=tsquery_literal(query))

    def documents(self):
        """Return a subquery of (entry_id, facets, codes) of every indexed entry (browsing, no text)."""
        return (
            text("SELECT entry_id, facets, facet_codes AS codes FROM search_documents")
            .columns(entry_id=Integer, facets=String, codes=String)
            .subquery("text_ids")
        )

    def facets_of(self, session: Session, entry_ids: list[int]) -> dict[int, str]:
        """Return the indexed facet strings of those of these entries that are in the index."""
        if not entry_ids:
            return {}
        rows = session.execute(
            text("SELECT entry_id, facets FROM search_documents WHERE entry_id = ANY(:ids)"), {"ids": list(entry_ids)}
        )
        return dict(rows.all())

    def concatenate(self, column, separator: str):
        """Return the aggregate that joins a column's values with a separator (NULLs left out)."""
        return func.string_agg(column, separator)

    def replace_documents(self, session: Session, docs: list[SearchDocument], *, facet_counts: bool = True) -> None:
        """Insert or update index rows."""
        if not docs:
            return
        old = self.facets_of(session, [d.entry_id for d in docs]) if facet_counts else {}
        columns, rows = counts.meta_rows(session, docs, with_codes=facet_counts)
        for row, doc in zip(rows, docs, strict=False):
            row["document"] = tsvector_literal(doc)
        session.execute(
            text(f"""
            INSERT INTO search_documents ({", ".join(columns)}, document)
            VALUES ({", ".join(":" + c for c in columns)}, CAST(:document AS tsvector))
            ON CONFLICT (entry_id) DO UPDATE SET document = excluded.document,
              {", ".join(f"{c} = excluded.{c}" for c in columns[1:])}"""),
            rows,
        )
        self.add_terms(session, set().union(*(d.terms for d in docs)))
        if facet_counts:
            counts.adjust(session, old, {d.entry_id: d.facets for d in docs})
            changes.note_changes(session, [d.entry_id for d in docs])

    def delete_documents(self, session: Session, entry_ids: list[int]) -> None:
        """Remove entries from the index."""
        if entry_ids:
            counts.adjust(session, self.facets_of(session, entry_ids), {})
            changes.note_changes(session, entry_ids)
            session.execute(text("DELETE FROM search_documents WHERE entry_id = ANY(:ids)"), {"ids": list(entry_ids)})

    def clear(self, session: Session, *, facet_counts: bool = True) -> None:
        """Empty the index and its vocabulary."""
        session.execute(text("DELETE FROM search_documents"))
        session.execute(text("DELETE FROM search_terms"))
        if facet_counts:
            counts.reset(session)
            changes.note_reset(session)

    @contextmanager
    def rebuilding(self, session: Session, *, facet_counts: bool = True) -> Iterator[None]:
        """Empty the index; the caller adds every document (the GIN index is kept up as rows come)."""
        self.clear(session, facet_counts=facet_counts)
        yield

    @contextmanager
    def adding(self, session: Session, count: int) -> Iterator[None]:
        """The caller adds ``count`` documents (the GIN index takes a batch of rows at a time as well as any way)."""
        yield

    def add_terms(self, session: Session, terms: set[str]) -> None:
        """Remember words for typo and substring expansion (never removed until a reindex)."""
        if terms:
            # Sorted, so two transactions adding overlapping words lock them in the same order
            # and cannot deadlock.
            session.execute(
                text("INSERT INTO search_terms (term) SELECT unnest(CAST(:t AS TEXT[])) ON CONFLICT DO NOTHING"),
                {"t": sorted(terms)},
            )

    def known_terms(self, session: Session, candidates: list[str]) -> set[str]:
        """Return which candidate words are in the vocabulary."""
        if not candidates:
            return set()
        rows = session.execute(text("SELECT term FROM search_terms WHERE term = ANY(:c)"), {"c": candidates})
        return {r[0] for r in rows}

    def terms_containing(self, session: Session, fragment: str, limit: int) -> list[str]:
        """Return up to ``limit`` vocabulary words containing a fragment (a pg_trgm index scan)."""
        pattern = "%" + fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        # lower(term) is term (words are stored folded); it is the expression the trigram index is on.
        rows = session.execute(
            text("SELECT term FROM search_terms WHERE lower(term) LIKE :p LIMIT :n"), {"p": pattern, "n": limit}
        )
        return [r[0] for r in rows]

    def phrase_ids(self, session: Session, clause: Clause) -> list[int]:
        """Return the ids of the entries that hold a phrase (positions checked by the tsvector)."""
        # Thousands of ids: read straight from the driver's cursor (same connection and transaction),
        # not as SQLAlchemy rows.
        cursor = session.connection().connection.cursor()
        try:
            cursor.execute(
                "SELECT entry_id FROM search_documents WHERE document @@ CAST(%s AS tsquery)", (_phrase(clause),)
            )
            return [r[0] for r in cursor.fetchall()]
        finally:
            cursor.close()

    def memory_rows(self, session: Session, entry_ids: list[int] | None) -> Iterator[Row]:
        """Yield the index rows of these entries (None: all), in entry order, for the in-memory copy.

        The tokens of each field come back from the tsvector's positions and weights.
        """
        where = "" if entry_ids is None else "WHERE entry_id = ANY(:ids)"
        rows = session.execute(
            text(f"""SELECT entry_id, boost, updated_epoch, name_keys, facet_codes,
            CAST(document AS TEXT) FROM search_documents {where} ORDER BY entry_id"""),
            {"ids": entry_ids or []},
        )
        for entry_id, boost, epoch, name_keys, codes, document in rows:
            yield Row(entry_id, fields_from_tsvector(document or ""), boost, epoch, name_keys or "", codes or "")

    def size_bytes(self, session: Session) -> int:
        """Return the size of the database in bytes."""
        return session.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
