"""SQLite FTS5 backend: a unicode61 word index with bm25 field weights, and a trigram index of the vocabulary."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Float, Integer, String, func, text
from sqlmodel import Session

from . import changes, counts
from .documents import FIELD_WEIGHTS, FIELDS, FRESHNESS_SECONDS, SearchDocument
from .query import Clause, ParsedQuery
from .segments import Row

# The tables are made by migration 0002. The word index (search_words) uses
# "unicode61 remove_diacritics 2 categories 'L* M* N* Co'": it keeps marks (Indic vowel signs,
# virama) inside tokens and so splits only where the Python tokenizer already put spaces.

#: Fewer documents than this are added row by row, however small the index: one pass has a fixed cost.
ONE_PASS_FROM = 500


def _phrase(clause: Clause) -> str:
    # Tokens hold only letters, marks and digits, but quoting (with quotes doubled) is what makes
    # any string a literal in FTS5, so it is done anyway.
    body = " ".join(clause.tokens).replace('"', '""')
    return f'"{body}"' + (" *" if clause.prefix else "")


def match_expression(query: ParsedQuery) -> str:
    """Return the FTS5 MATCH string of a parsed query: quoted phrases joined by AND, OR and NOT."""
    groups = ["(" + " OR ".join(_phrase(c) for c in g.clauses) + ")" for g in query.groups]
    expr = " AND ".join(groups)
    if query.excluded:
        expr = f"({expr}) NOT (" + " OR ".join(_phrase(c) for c in query.excluded) + ")"
    return expr


class SQLiteBackend:
    """Search on SQLite with FTS5."""

    name = "sqlite"

    def matches(self, query: ParsedQuery):
        """Return a subquery of (entry_id, score, exact, codes) for the entries the query matches."""
        weights = ", ".join(str(w) for w in FIELD_WEIGHTS)
        stmt = text(f"""
            SELECT d.entry_id AS entry_id,
                   -bm25(search_words, {weights}) * d.boost
                     * (1.0 + 0.25 / (1.0 + (:now - d.updated_epoch) / {FRESHNESS_SECONDS})) AS score,
                   instr(d.name_keys, :name_key) > 0 AS exact, d.facet_codes AS codes
            FROM search_words CROSS JOIN search_meta AS d ON d.entry_id = search_words.rowid
            WHERE search_words MATCH :expr""").bindparams(
            expr=match_expression(query), name_key=f"|{query.key}|", now=time.time()
        )
        # CROSS JOIN keeps the full-text scan as the outer loop: the other order would run the
        # MATCH once per document row.
        return stmt.columns(entry_id=Integer, score=Float, exact=Integer, codes=String).subquery("text_matches")

    def match_ids(self, query: ParsedQuery):
        """Return a subquery of (entry_id, codes) of the matches, for counting: no ranking work."""
        stmt = text("""SELECT d.entry_id AS entry_id, d.facet_codes AS codes
            FROM search_words CROSS JOIN search_meta AS d ON d.entry_id = search_words.rowid
            WHERE search_words MATCH :expr""").bindparams(expr=match_expression(query))
        return stmt.columns(entry_id=Integer, codes=String).subquery("text_ids")

    def holds(self, query: ParsedQuery):
        """Return a condition on `entries` that is true when the entry matches the query (one entry at a time).

        FTS5 answers a MATCH with a rowid constraint by seeking in the query's postings, so a walk
        over an order's index that checks each entry stops after a page of matches.
        """
        return text(
            "EXISTS (SELECT 1 FROM search_words WHERE search_words MATCH :held AND search_words.rowid = entries.id)"
        ).bindparams(held=match_expression(query))

    def documents(self):
        """Return a subquery of (entry_id, facets, codes) of every indexed entry (browsing, no text)."""
        return (
            text("SELECT entry_id, facets, facet_codes AS codes FROM search_meta")
            .columns(entry_id=Integer, facets=String, codes=String)
            .subquery("text_ids")
        )

    def facets_of(self, session: Session, entry_ids: list[int]) -> dict[int, str]:
        """Return the indexed facet strings of those of these entries that are in the index."""
        if not entry_ids:
            return {}
        rows = session.execute(
            text("SELECT entry_id, facets FROM search_meta WHERE entry_id IN (SELECT value FROM json_each(:ids))"),
            {"ids": json.dumps(entry_ids)},
        )
        return dict(rows.all())

    def concatenate(self, column, separator: str):
        """Return the aggregate that joins a column's values with a separator (NULLs left out)."""
        return func.group_concat(column, separator)

    def replace_documents(self, session: Session, docs: list[SearchDocument], *, facet_counts: bool = True) -> None:
        """Insert or update index rows (the triggers update the FTS index)."""
        if not docs:
            return
        old = self.facets_of(session, [d.entry_id for d in docs]) if facet_counts else {}
        columns, rows = counts.meta_rows(session, docs, with_codes=facet_counts)
        # Through the driver's cursor, in the session's transaction: a rebuild writes a million rows
        # here, and SQLAlchemy's handling of each row's parameters cost more than SQLite's insert.
        cursor = session.connection().connection.cursor()
        try:
            cursor.executemany(
                f"""INSERT INTO search_meta ({", ".join(columns)}) VALUES ({", ".join("?" for _ in columns)})
                ON CONFLICT (entry_id) DO UPDATE SET {", ".join(f"{c} = excluded.{c}" for c in columns[1:])}""",
                [tuple(row[c] for c in columns) for row in rows],
            )
            cursor.executemany(
                f"""INSERT INTO search_documents (entry_id, {", ".join(FIELDS)})
                VALUES (?, {", ".join("?" for _ in FIELDS)})
                ON CONFLICT (entry_id) DO UPDATE SET {", ".join(f"{f} = excluded.{f}" for f in FIELDS)}""",
                [(d.entry_id, *(d.text(f) for f in FIELDS)) for d in docs],
            )
        finally:
            cursor.close()
        self.add_terms(session, set().union(*(d.terms for d in docs)))
        if facet_counts:
            counts.adjust(session, old, {d.entry_id: d.facets for d in docs})
            changes.note_changes(session, [d.entry_id for d in docs])

    def delete_documents(self, session: Session, entry_ids: list[int]) -> None:
        """Remove entries from the index."""
        if entry_ids:
            counts.adjust(session, self.facets_of(session, entry_ids), {})
            changes.note_changes(session, entry_ids)
            for table in ("search_meta", "search_documents"):
                session.execute(
                    text(f"DELETE FROM {table} WHERE entry_id IN (SELECT value FROM json_each(:ids))"),
                    {"ids": json.dumps(entry_ids)},
                )

    def clear(self, session: Session, *, facet_counts: bool = True) -> None:
        """Empty the index and its vocabulary."""
        for table in ("search_meta", "search_documents", "search_terms"):
            session.execute(text(f"DELETE FROM {table}"))
        if facet_counts:
            counts.reset(session)
            changes.note_reset(session)

    @contextmanager
    def rebuilding(self, session: Session, *, facet_counts: bool = True) -> Iterator[None]:
        """Empty the index; the caller adds every document; then build both full-text indexes in one pass."""
        with self._in_one_pass(session):
            for table in ("search_meta", "search_documents", "search_terms"):
                session.execute(text(f"DELETE FROM {table}"))
            if facet_counts:
                counts.reset(session)
                changes.note_reset(session)
            yield

    @contextmanager
    def adding(self, session: Session, count: int) -> Iterator[None]:
        """The caller adds ``count`` documents: in one pass when they are many beside those indexed already."""
        indexed = session.execute(text("SELECT count(*) FROM search_meta")).scalar_one()
        if count >= ONE_PASS_FROM and 2 * count >= indexed:
            with self._in_one_pass(session):
                yield
        else:
            yield

    @contextmanager
    def _in_one_pass(self, session: Session) -> Iterator[None]:
        """Row by row, each document's trigger adds it to the word index and each new word's to the
        trigram index: at 100k short entries that is two thirds of the full-text work. Here the
        triggers are dropped (in the caller's transaction: a failure puts them back with everything
        else) while the caller writes, and FTS5 then reads the finished tables once (``rebuild``, which
        costs as much as the whole index: worth it only when most of it is new); then the triggers
        are made again from their own stored definitions.
        """
        triggers = session.execute(
            text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name IN ('search_documents', 'search_terms') ORDER BY name"
            )
        ).all()
        for name, _ in triggers:
            session.execute(text(f'DROP TRIGGER "{name}"'))
        yield
        for index in ("search_words", "search_terms_trigram"):
            session.execute(text(f"INSERT INTO {index} ({index}) VALUES ('rebuild')"))
        for _, sql in triggers:
            session.execute(text(sql))

    def add_terms(self, session: Session, terms: set[str]) -> None:
        """Remember words for typo and substring expansion (never removed until a reindex)."""
        if terms:
            session.execute(
                text("INSERT OR IGNORE INTO search_terms (term) SELECT value FROM json_each(:t)"),
                {"t": json.dumps(sorted(terms))},
            )

    def known_terms(self, session: Session, candidates: list[str]) -> set[str]:
        """Return which candidate words are in the vocabulary."""
        if not candidates:
            return set()
        rows = session.execute(
            text("SELECT term FROM search_terms WHERE term IN (SELECT value FROM json_each(:c))"),
            {"c": json.dumps(candidates)},
        )
        return {r[0] for r in rows}

    def terms_containing(self, session: Session, fragment: str, limit: int) -> list[str]:
        """Return up to ``limit`` vocabulary words that contain a fragment of three or more characters."""
        rows = session.execute(
            text("SELECT term FROM search_terms_trigram WHERE search_terms_trigram MATCH :q LIMIT :n"),
            {"q": '"' + fragment.replace('"', '""') + '"', "n": limit},
        )
        return [r[0] for r in rows]

    def phrase_ids(self, session: Session, clause: Clause) -> list[int]:
        """Return the ids of the entries that hold a phrase (positions checked by FTS5)."""
        # Thousands of ids: read straight from the driver's cursor (same connection and transaction),
        # not as SQLAlchemy rows.
        cursor = session.connection().connection.cursor()
        try:
            cursor.execute("SELECT rowid FROM search_words WHERE search_words MATCH ?", (_phrase(clause),))
            return [r[0] for r in cursor.fetchall()]
        finally:
            cursor.close()

    def memory_rows(self, session: Session, entry_ids: list[int] | None) -> Iterator[Row]:
        """Yield the index rows of these entries (None: all), in entry order, for the in-memory copy."""
        where = "" if entry_ids is None else "WHERE m.entry_id IN (SELECT value FROM json_each(:ids))"
        rows = session.execute(
            text(f"""
            SELECT m.entry_id, m.boost, m.updated_epoch, m.name_keys, m.facet_codes, {", ".join("d." + f for f in FIELDS)}
            FROM search_meta AS m JOIN search_documents AS d ON d.entry_id = m.entry_id {where}
            ORDER BY m.entry_id"""),
            {"ids": json.dumps(entry_ids or [])},
        )
        for entry_id, boost, epoch, name_keys, codes, *texts in rows:
            yield Row(
                entry_id,
                {f: (t or "").split() for f, t in zip(FIELDS, texts, strict=False)},
                boost,
                epoch,
                name_keys or "",
                codes or "",
            )

    def size_bytes(self, session: Session) -> int:
        """Return the size of the database file in bytes."""
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
        return pages * session.execute(text("PRAGMA page_size")).scalar_one()
