"""What "nothing is lost, nothing is half-applied" means, checked on a whole database.

An entry is complete when all of these hold; otherwise a write was applied in part:

1. its revisions are numbered exactly 1..entry.revision (the counter moves only with a row);
2. its newest revision's snapshot is the entry's content now;
3. its facet rows are exactly the facets its fields give;
4. its search row exists (it is visible) and holds exactly what the indexer builds from the entry
   and its translations, and on SQLite the FTS5 index agrees with its content table;
5. a harvested entry has a source pointing at it, whose last commit is the entry's head commit,
   and a harvest run recording that commit;

and the database as a whole: SQLite's ``PRAGMA integrity_check`` is ``ok``, the kept facet
counts equal a recount of the search index, no foreign key points
nowhere, every source a harvest applied has its entry (both are written in one transaction), and
every harvest run belongs to a source.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import sqlalchemy as sa
from sqlmodel import Session, select

from registry.facets import facet_values
from registry.models import Entry, FacetValue, HarvestRun, Revision, Source, Translation
from registry.search.counts import CODE_DIGITS, TOTAL
from registry.search.documents import FACET_SEP, FIELDS, build_document, is_searchable
from registry.search.postgres import tsvector_literal
from registry.services.entries import snapshot


def sqlite_checks(conn: sa.Connection) -> list[str]:
    """The storage-level checks of an SQLite file: pages, foreign keys, both full-text indexes."""
    problems = []
    integrity = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        problems.append(f"integrity_check: {integrity[:5]}")
    orphans = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if orphans:
        problems.append(f"foreign_key_check: {orphans[:5]}")
    for fts in ("search_words", "search_terms_trigram"):
        try:
            conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
        except sa.exc.DatabaseError as err:
            problems.append(f"{fts} disagrees with its content table: {err.orig}")
    return problems


def check_database(engine: sa.Engine) -> list[str]:
    """Return every broken invariant (empty when the database is whole)."""
    problems: list[str] = []
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            problems += sqlite_checks(conn)
            conn.rollback()
    with Session(engine) as s:
        entries = s.exec(select(Entry)).all()
        revisions = defaultdict(list)
        for rev in s.exec(select(Revision).order_by(Revision.entry_id, Revision.number)):
            revisions[rev.entry_id].append(rev)
        facets = defaultdict(set)
        for row in s.exec(select(FacetValue)):
            facets[row.entry_id].add((row.facet, row.value))
        translations = defaultdict(list)
        for tr in s.exec(select(Translation)):
            translations[tr.entry_id].append(tr)
        sources = s.exec(select(Source)).all()
        source_of = {src.entry_id: src for src in sources}
        run_commits = defaultdict(set)
        for run in s.exec(select(HarvestRun)):
            run_commits[run.source_id].add(run.commit)
        known_sources = {src.id for src in sources}
        if set(run_commits) - known_sources:
            problems.append(f"harvest runs of unknown sources {sorted(set(run_commits) - known_sources)}")
        for src in sources:
            # A harvest that applied a source wrote its commit and its entry together. (Pending
            # sources, failed first harvests and purged entries' sources have no commit; a list's
            # source fills a collection, not an entry.)
            if src.kind != "list" and src.last_commit and src.entry_id is None:
                problems.append(f"source {src.url} was applied at {src.last_commit[:8]} but has no entry")
        search = _search_rows(s)
        entry_ids = {e.id for e in entries}
        for table, ids in (("revisions", revisions), ("facet_values", facets), ("translations", translations),
                           ("search", search)):
            stray = set(ids) - entry_ids
            if stray:
                problems.append(f"{table} rows of missing entries {sorted(stray)[:5]}")
        for entry in entries:
            problems += _check_entry(s, entry, revisions[entry.id], facets[entry.id], translations[entry.id],
                                     search.get(entry.id), source_of.get(entry.id), run_commits)
        problems += _check_kept_counts(s, search)
    return problems


def _check_kept_counts(s: Session, search: dict[int, dict]) -> list[str]:
    # The kept facet counts (what browsing everything shows) equal a recount of the index rows.
    recount: Counter[str] = Counter()
    for row in search.values():
        recount.update(pair for pair in (row.get("facets") or "").split(FACET_SEP) if pair)
        recount[TOTAL] += 1
    kept = Counter(dict(s.execute(sa.text("SELECT pair, n FROM search_facet_counts WHERE n <> 0")).all()))
    problems = []
    if kept != recount:
        wrong = sorted(set(kept) | set(recount), key=lambda p: p != TOTAL)
        diff = [(pair or "entries", kept[pair], recount[pair]) for pair in wrong if kept[pair] != recount[pair]]
        problems.append(f"kept facet counts differ from the index (pair, kept, recounted): {diff[:5]}")
    # Each row's facet codes (what counting a query's matches reads) name exactly its facet pairs.
    names = dict(s.execute(sa.text("SELECT code, pair FROM search_facet_codes")).all())
    width = CODE_DIGITS
    for entry_id, row in search.items():
        codes = row.get("facet_codes") or ""
        decoded = sorted(names.get(int(codes[k:k + width], 16), "?") for k in range(0, len(codes), width))
        if decoded != sorted(p for p in (row.get("facets") or "").split(FACET_SEP) if p):
            problems.append(f"entry {entry_id}: facet codes {codes!r} do not name its facets")
    return problems


def _search_rows(s: Session) -> dict[int, dict]:
    if s.get_bind().dialect.name == "sqlite":
        rows = s.execute(sa.text(f"""SELECT d.entry_id, {", ".join("d." + f for f in FIELDS)}, m.name_keys, m.facets, m.facet_codes
            FROM search_documents d LEFT JOIN search_meta m ON m.entry_id = d.entry_id"""))
        found = {r.entry_id: dict(r._mapping) for r in rows}
        for (orphan,) in s.execute(sa.text("SELECT entry_id FROM search_meta WHERE entry_id NOT IN "
                                           "(SELECT entry_id FROM search_documents)")):
            found[orphan] = {"entry_id": orphan, "name_keys": None}
        return found
    rows = s.execute(sa.text("SELECT entry_id, name_keys, facets, facet_codes, document::text AS document FROM search_documents"))
    return {r.entry_id: dict(r._mapping) for r in rows}


def _check_entry(s: Session, entry: Entry, revs: list[Revision], facets: set, translations: list[Translation],
                 search_row: dict | None, source: Source | None, run_commits: dict) -> list[str]:
    problems = []
    slug = entry.slug
    numbers = [r.number for r in revs]
    if numbers != list(range(1, entry.revision + 1)):
        problems.append(f"{slug}: revision counter {entry.revision} but revision rows {numbers[:10]}…")
    elif revs and revs[-1].snapshot != _json_roundtrip(snapshot(entry)):
        problems.append(f"{slug}: the newest revision's snapshot is not the entry's content")
    if facets != facet_values(entry):
        problems.append(f"{slug}: facet rows {sorted(facets)} but its fields give {sorted(facet_values(entry))}")
    if is_searchable(entry):
        doc = build_document(entry, translations)
        if search_row is None:
            problems.append(f"{slug}: visible but not in the search index")
        elif s.get_bind().dialect.name == "sqlite":
            wanted = {f: doc.text(f) for f in FIELDS} | {"name_keys": doc.name_keys, "facets": doc.facets}
            got = {k: search_row.get(k) for k in wanted}
            if got != wanted:
                bad = sorted(k for k in wanted if got[k] != wanted[k])
                problems.append(f"{slug}: search row differs from the entry in {bad}")
        else:
            same = s.execute(sa.text("SELECT CAST(:doc AS tsvector)::text = :stored"),
                             {"doc": tsvector_literal(doc), "stored": search_row["document"]}).scalar_one()
            if not same or (search_row["name_keys"], search_row["facets"]) != (doc.name_keys, doc.facets):
                problems.append(f"{slug}: search row differs from the entry")
    elif search_row is not None:
        problems.append(f"{slug}: hidden or deleted but still in the search index")
    if entry.head_commit and (entry.source_url or "").startswith("/"):
        if source is None:
            problems.append(f"{slug}: harvested from {entry.source_url} but no source points at it")
        elif source.last_commit != entry.head_commit or entry.head_commit not in run_commits.get(source.id, ()):
            problems.append(f"{slug}: head commit {entry.head_commit[:8]} but its source says "
                            f"{(source.last_commit or '-')[:8]} and its runs {sorted(run_commits.get(source.id, ()))}")
    return problems


def _json_roundtrip(data: dict) -> dict:
    import json

    return json.loads(json.dumps(data, default=str))
