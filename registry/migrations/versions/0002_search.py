"""search index: SQLite FTS5 tables, or a PostgreSQL tsvector with GIN and pg_trgm indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE = [
    # Ranking and facet counting read a few small values for thousands of matches at a time:
    # they live in their own narrow table, away from the long texts the word index is built on.
    """CREATE TABLE search_meta (
        entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
        boost REAL NOT NULL, updated_epoch REAL NOT NULL, name_keys TEXT NOT NULL, facets TEXT NOT NULL)""",
    """CREATE TABLE search_documents (
        entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
        name TEXT NOT NULL, tags TEXT NOT NULL, langs TEXT NOT NULL, summary TEXT NOT NULL,
        description TEXT NOT NULL)""",
    # Results leave out hidden and deleted entries: a handful, found through this small index
    # instead of reading every matching entry's (long) row.
    "CREATE INDEX ix_entries_invisible ON entries (id) WHERE hidden = 1 OR deleted_at IS NOT NULL",
    # Marks (Indic vowel signs, virama) are token characters, so the index splits only where
    # registry/search/text.py already put spaces; prefix indexes make `tr*` cheap.
    """CREATE VIRTUAL TABLE search_words USING fts5(
        name, tags, langs, summary, description, content='search_documents', content_rowid='entry_id',
        tokenize="unicode61 remove_diacritics 2 categories 'L* M* N* Co'", prefix='2 3')""",
    # External content: these triggers keep the index equal to search_documents in the same
    # transaction, including rows removed by ON DELETE CASCADE when an entry is purged.
    """CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN
        INSERT INTO search_words(rowid, name, tags, langs, summary, description)
        VALUES (new.entry_id, new.name, new.tags, new.langs, new.summary, new.description); END""",
    """CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN
        INSERT INTO search_words(search_words, rowid, name, tags, langs, summary, description)
        VALUES ('delete', old.entry_id, old.name, old.tags, old.langs, old.summary, old.description); END""",
    """CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN
        INSERT INTO search_words(search_words, rowid, name, tags, langs, summary, description)
        VALUES ('delete', old.entry_id, old.name, old.tags, old.langs, old.summary, old.description);
        INSERT INTO search_words(rowid, name, tags, langs, summary, description)
        VALUES (new.entry_id, new.name, new.tags, new.langs, new.summary, new.description); END""",
    # The vocabulary, with a trigram index for substring and typo expansion.
    "CREATE TABLE search_terms (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE)",
    """CREATE VIRTUAL TABLE search_terms_trigram USING fts5(
        term, content='search_terms', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER search_terms_ai AFTER INSERT ON search_terms BEGIN
        INSERT INTO search_terms_trigram(rowid, term) VALUES (new.id, new.term); END""",
    """CREATE TRIGGER search_terms_ad AFTER DELETE ON search_terms BEGIN
        INSERT INTO search_terms_trigram(search_terms_trigram, rowid, term) VALUES ('delete', old.id, old.term); END""",
]
SQLITE_DROP = [
    "DROP TABLE IF EXISTS search_terms_trigram",
    "DROP TABLE IF EXISTS search_terms",
    "DROP TABLE IF EXISTS search_words",
    "DROP TABLE IF EXISTS search_documents",
    "DROP TABLE IF EXISTS search_meta",
    "DROP INDEX IF EXISTS ix_entries_invisible",
]

POSTGRES = [
    # pg_trgm is a trusted extension: a database owner may create it without being superuser.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE search_documents (
        entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
        boost REAL NOT NULL, updated_epoch DOUBLE PRECISION NOT NULL, name_keys TEXT NOT NULL,
        facets TEXT NOT NULL, document TSVECTOR NOT NULL)""",
    "CREATE INDEX ix_entries_invisible ON entries (id) WHERE hidden OR deleted_at IS NOT NULL",
    "CREATE INDEX ix_search_documents_document ON search_documents USING GIN (document)",
    "CREATE TABLE search_terms (term TEXT PRIMARY KEY)",
    # On an expression, so that equality lookups use the primary key: given a plain trigram
    # index on term, the planner answers `term = ANY(600 typo candidates)` through it, slowly.
    "CREATE INDEX ix_search_terms_trigram ON search_terms USING GIN (lower(term) gin_trgm_ops)",
]
POSTGRES_DROP = [
    "DROP TABLE IF EXISTS search_terms",
    "DROP TABLE IF EXISTS search_documents",
    "DROP INDEX IF EXISTS ix_entries_invisible",
]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES if postgres else SQLITE:
        op.execute(statement)
    if op.get_bind().execute(sa.text("SELECT count(*) FROM entries")).scalar_one():
        # A registry upgraded with entries in it gets them indexed now, by today's indexer
        # (which reads only the columns it needs, so later migrations of entries do not matter).
        from sqlmodel import Session

        from registry.search import reindex

        # Its facet counts table comes in 0008, which fills it from this index.
        reindex(Session(bind=op.get_bind()), facet_counts=False)


def downgrade() -> None:
    for statement in POSTGRES_DROP if op.get_bind().dialect.name == "postgresql" else SQLITE_DROP:
        op.execute(statement)
