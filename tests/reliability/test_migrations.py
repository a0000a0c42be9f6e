"""The Alembic chain up, down to base and up again — and each branch down one step and up — with data.

0001 makes the first tables; 0002–0007 each branch from it, 0008–0010 follow 0002 (several heads, upgraded
together as "heads"). On SQLite and, when REGISTRY_TEST_DATABASE_URL names a server, on PostgreSQL (an
empty database of its own). The schema after up/down/up must be the schema after a single up:
tables, columns, types, defaults, keys, indexes, triggers and full-text tables as the database
itself describes them. Entries must survive a branch going down and up, and stay whole and
searchable (their search rows are rebuilt when the search branch comes back).
"""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session, SQLModel, select

from registry import create_app
from registry.db import alembic_config, get_engine, upgrade_schema, write_session
from registry.models import Collection, CollectionItem, Entry, Maintainer, Revision
from registry.services.tokens import create_token
from registry.services.users import create_user
from tests.conftest import TEST_DATABASE_URL, _server_url
from tests.helpers import add_entry, harvest_options, harvest_source
from tests.reliability.invariants import check_database
from tests.reliability.repos import write_generation

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def empty_app(request, tmp_path):
    """An app on an empty database (no tables at all)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrations.db'}"
        name = None
    else:
        if not TEST_DATABASE_URL.startswith("postgresql"):
            pytest.skip("PostgreSQL runs when REGISTRY_TEST_DATABASE_URL names a server (CI's second pass)")
        pg = request.getfixturevalue("postgres_databases")
        name = f"{pg.prefix}_migrations"
        with pg.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = _server_url(name)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "migrations",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    yield app
    get_engine(app).dispose()
    if name:
        pg.drop(name)


def schema_of(engine: sa.Engine) -> dict:
    """The schema as the database describes it, in a form two databases can be compared by."""
    insp = sa.inspect(engine)
    tables = {}
    for table in sorted(insp.get_table_names()):
        tables[table] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default"))) for c in insp.get_columns(table)],
            "primary_key": insp.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted((tuple(fk["constrained_columns"]), fk["referred_table"],
                                    tuple(fk["referred_columns"]), str(fk.get("options"))) for fk in insp.get_foreign_keys(table)),
            "indexes": sorted((i["name"], str(i["column_names"]), bool(i["unique"]),
                               str(sorted((k, str(v)) for k, v in (i.get("dialect_options") or {}).items())))
                              for i in insp.get_indexes(table)),
            "unique": sorted(str(u["column_names"]) for u in insp.get_unique_constraints(table)),
        }
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            # Triggers, FTS5 virtual tables and partial indexes exactly as written.
            ddl = conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                       "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").fetchall()
        else:
            ddl = conn.exec_driver_sql(
                "SELECT 'index', indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                "UNION ALL SELECT 'constraint', conname, conrelid::regclass::text, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE connamespace = 'public'::regnamespace "
                "UNION ALL SELECT 'trigger', tgname, tgrelid::regclass::text, pg_get_triggerdef(oid) "
                "FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2").fetchall()
    return {"tables": tables, "ddl": [tuple(row) for row in ddl]}


def schema_diff(before: dict, after: dict) -> list[str]:
    """Name what differs between two schemas (empty when they are the same)."""
    out = []
    for table in sorted(set(before["tables"]) | set(after["tables"])):
        a, b = before["tables"].get(table), after["tables"].get(table)
        if a != b:
            keys = sorted(k for k in (a or b) if (a or {}).get(k) != (b or {}).get(k))
            out += [f"{table}.{k}: {(a or {}).get(k)} -> {(b or {}).get(k)}" for k in keys]
    out += [f"only before: {row}" for row in before["ddl"] if row not in after["ddl"]]
    out += [f"only after: {row}" for row in after["ddl"] if row not in before["ddl"]]
    return out


def _heads(app) -> list[str]:
    return sorted(ScriptDirectory.from_config(alembic_config(app)).get_heads())


def _current(app) -> set[str]:
    with get_engine(app).connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def _load_data(app, repo_root: Path) -> list[str]:
    """Entries from real harvests and from records, with people, a token, a maintainer and a collection."""
    slugs = [add_entry(app, f"lab/record-{n}", summary=f"Swahili tagger number {n}.", languages=["sw"],
                       license="MIT", translations={"fr": {"name": f"Modèle {n}", "summary": "Un modèle.",
                                                           "description": "", "origin": "README.fr.md"}})
             for n in range(3)]
    options = harvest_options(app, operator=True)
    for n in range(2):
        path = repo_root / "lab" / f"model-{n}"
        write_generation(path, n)
        with app.app_context():
            result = harvest_source(app, source=str(path), kind="git", options=options)
        assert result.outcome.value == "created", result.error
        slugs.append(result.slug)
    with write_session(app) as s:
        user = create_user(s, name="maint", email="maint@example.org", password="long enough pw")
        create_token(s, user_name="maint", scope="write")
        first = s.exec(select(Entry).where(Entry.slug == slugs[0])).one()
        s.add(Maintainer(user_id=user.id, entry_id=first.id, via="admin"))
        collection = Collection(slug="swahili", title="Swahili models", created_by="maint")
        s.add(collection)
        s.flush()
        s.add(CollectionItem(collection_id=collection.id, entry_id=first.id, title="first", added_by="maint"))
    return slugs


def _entries(app) -> list[tuple]:
    # Only the columns of 0001: the ORM's Entry also has columns a branch adds.
    with get_engine(app).connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(
            "SELECT slug, name, summary, description, revision, languages, license, head_commit FROM entries "
            "ORDER BY slug"))]


def _revision_count(app) -> int:
    with Session(get_engine(app)) as s:
        return s.exec(select(sa.func.count()).select_from(Revision)).one()


def _search_finds(app, word: str) -> int:
    resp = app.test_client().get(f"/api/v1/entries?q={word}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.json["total"]


def test_up_down_to_base_and_up_again_gives_the_same_schema(empty_app):
    app = empty_app
    upgrade_schema(app)
    assert _current(app) == set(_heads(app))
    once = schema_of(get_engine(app))
    assert set(SQLModel.metadata.tables) <= set(once["tables"])

    command.downgrade(alembic_config(app), "base")
    left = set(sa.inspect(get_engine(app)).get_table_names())
    assert left <= {"alembic_version"}, f"downgrade to base left tables behind: {sorted(left)}"
    assert _current(app) == set()

    upgrade_schema(app)
    assert schema_diff(once, schema_of(get_engine(app))) == []
    # And the registry works on it: a record goes in whole and is found.
    add_entry(app, "lab/after", summary="Found after the round trip.")
    assert _search_finds(app, "round trip") == 1
    assert check_database(get_engine(app)) == []


def test_every_branch_down_one_step_and_up_again_keeps_the_entries(empty_app, tmp_path):
    app = empty_app
    upgrade_schema(app)
    once = schema_of(get_engine(app))
    slugs = _load_data(app, tmp_path / "repos")
    entries, revisions = _entries(app), _revision_count(app)
    assert _search_finds(app, "tagger") == 3 and _search_finds(app, "sentiment") == 2
    browse = _browse_counts(app)
    assert browse[0] == len(entries) and browse[1]["license"]["MIT"] >= 3
    found = _browse_counts(app, "tagger")
    assert found[0] == 3 and found[1]["language"]["sw"] == 3

    heads = _heads(app)
    assert len(heads) > 1 and "0001" not in heads  # the branches from 0001, however many there are now
    for head in heads:
        command.downgrade(alembic_config(app), f"{head}@-1")
        parent = ScriptDirectory.from_config(alembic_config(app)).get_revision(head).down_revision
        # 0001 is below every other head; a parent of one branch alone (0002 under 0008) is a head now.
        assert _current(app) == (set(heads) - {head}) | ({parent} if parent != "0001" else set()), head
        # Going down one branch takes only that branch's tables and columns: entries stay whole.
        assert _entries(app) == entries, f"entries changed when {head} went down"
        assert _revision_count(app) == revisions
        upgrade_schema(app)
        assert _current(app) == set(heads)
        assert schema_diff(once, schema_of(get_engine(app))) == [], f"the schema differs after {head} went down and up"
        assert _entries(app) == entries
        assert check_database(get_engine(app)) == [], head
        # Search is rebuilt when its branch comes back (0002 indexes the entries it finds).
        assert _search_finds(app, "tagger") == 3, head
        assert _browse_counts(app) == browse, head
        assert _browse_counts(app, "tagger") == found, head
    # The search branch all the way down and up: 0002 indexes the entries, 0008 counts them,
    # 0009 numbers their facet values, 0010 notes changes for the in-memory copies, 0015 keeps a
    # load's staged documents.
    command.downgrade(alembic_config(app), "0008@-4")
    assert not ({"search_facet_counts", "search_facet_codes", "search_index_state", "search_index_changes",
                 "search_staged"} & set(sa.inspect(get_engine(app)).get_table_names()))
    upgrade_schema(app)
    assert _search_finds(app, "tagger") == 3
    assert _browse_counts(app) == browse
    assert _browse_counts(app, "tagger") == found
    assert check_database(get_engine(app)) == []
    assert sorted(slugs) == sorted(e[0] for e in entries)


def _browse_counts(app, q: str = "") -> tuple[int, dict]:
    """Return how many entries browsing everything (or a query) counts, and its facet counts."""
    resp = app.test_client().get(f"/api/v1/entries?q={q}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.json["total"], resp.json["facets"]


def test_the_migrations_build_what_the_models_declare(empty_app):
    """Every table, column and index of models.py is built by the migrations, with the same types.

    (Migrations may build more than the models declare — the search tables, their FTS5 shadow
    tables, partial and expression indexes, counters — in SQL of their own.)
    """
    app = empty_app
    upgrade_schema(app)
    with get_engine(app).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    def kind(op) -> str:
        return (op[0] if isinstance(op, tuple) else op[0][0]) if op else ""
    assert [op for op in diff if not kind(op).startswith("remove_")] == []
