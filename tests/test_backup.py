"""Online backup during writes, and restore into an empty instance with identical content."""
from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy.engine import make_url

from registry import create_app
from registry.db import get_engine
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import add_entry
from tests.reliability.invariants import check_database

pytestmark = pytest.mark.skipif(TEST_DATABASE_URL.startswith("postgresql"),
                                reason="backup/restore handle the embedded SQLite database (PostgreSQL uses pg_dump)")


#: The tables that hold entries and everything written with them, and how each row names its entry.
_ENTRY_TABLES = {"entries": "id", "revisions": "entry_id", "facet_values": "entry_id", "translations": "entry_id",
                 "relations": "entry_id", "sources": "entry_id", "search_meta": "entry_id",
                 "search_documents": "entry_id",
                 "harvest_runs": "(SELECT entry_id FROM sources WHERE sources.id = harvest_runs.source_id)"}


def _rows(path) -> dict[str, dict[int, set]]:
    """Every row of the entry tables, grouped by the entry it belongs to."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {table: _group(conn.execute(f"SELECT {owner}, * FROM {table}").fetchall())
                for table, owner in _ENTRY_TABLES.items()}
    finally:
        conn.close()


def _group(rows) -> dict[int, set]:
    grouped: dict[int, set] = {}
    for owner, *row in rows:
        grouped.setdefault(owner, set()).add(tuple(row))
    return grouped


def _slugs(path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT slug, id FROM entries"))
    finally:
        conn.close()


def test_backup_during_writes_restores_to_identical_content(app, runner, tmp_path):
    """The backup is the database as it was at one moment of a stream of writes, row for row.

    A writer keeps adding entries (each one transaction: entry, revision, facets, search rows,
    source, run) while `backup` runs. The restored database must hold exactly the first k of
    those writes for some k between the writes done before the backup began and those done when
    it ended — each of their rows identical to the live one — and none of the later ones.
    """
    for n in range(10):
        # Some weight, so the copy takes long enough for writes to land meanwhile.
        add_entry(app, f"lab/before-{n}", name=f"Before {n}", description=f"Words {n} " * 60_000)
    written: list[str] = []
    stop = threading.Event()

    def keep_writing():
        n = 0
        while not stop.is_set():
            written.append(add_entry(app, f"lab/during-{n:05d}", name=f"During {n}", summary=f"Written {n}.",
                                     languages=["sw"], license="MIT",
                                     translations={"fr": {"name": f"Pendant {n}", "summary": "", "description": "",
                                                          "origin": "README.fr.md"}}))
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 3:
            time.sleep(0.01)
        done_before = len(written)
        result = runner.invoke(args=["backup", str(tmp_path / "snap.db")])
        done_after = len(written)
        while len(written) < done_after + 3:  # and writes go on after it
            time.sleep(0.01)
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output

    fresh = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'restored.db'}", "SECRET_KEY": "x",
                        "INSTANCE_PATH": str(tmp_path / "restored")})
    restored = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "snap.db")])
    assert restored.exit_code == 0, restored.output
    live_path = make_url(app.config["DATABASE_URL"]).database
    restored_path = tmp_path / "restored.db"
    get_engine(fresh).dispose()

    # A prefix of the writes: all before, the first k during, none after.
    slugs = _slugs(restored_path)
    during = sorted(s for s in slugs if s.startswith("lab/during-"))
    k = len(during)
    assert during == written[:k], "the backup holds writes out of order: not one moment"
    assert done_before <= k <= done_after, (done_before, k, done_after)
    assert {f"lab/before-{n}" for n in range(10)} <= set(slugs)

    # Row for row what the live database holds for those entries, and nothing of the later ones.
    live, snap = _rows(live_path), _rows(restored_path)
    live_ids = _slugs(live_path)
    kept = {live_ids[s] for s in slugs}
    assert set(slugs.values()) == kept
    for table in _ENTRY_TABLES:
        assert set(snap[table]) <= kept, f"{table} holds rows of entries written after the backup"
        for owner in kept:
            assert snap[table].get(owner) == live[table].get(owner), f"{table} rows of entry {owner} differ"
    assert check_database(get_engine(create_app({"DATABASE_URL": f"sqlite:///{restored_path}", "SECRET_KEY": "x",
                                                 "INSTANCE_PATH": str(tmp_path / "check")}))) == []


def test_backup_refuses_to_overwrite_and_restore_refuses_a_full_instance(app, runner, tmp_path):
    add_entry(app, "lab/one", name="One")
    target = tmp_path / "snap.db"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "exists" in again.output
    refused = runner.invoke(args=["restore", str(target)])
    assert refused.exit_code != 0 and "empty instance" in refused.output
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert "not" in runner.invoke(args=["restore", str(junk)]).output
