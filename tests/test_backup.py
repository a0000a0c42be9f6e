"""Online backup during writes, and restore into an empty instance with identical content."""
from __future__ import annotations

import threading

import pytest
from sqlmodel import Session, select

from registry import create_app
from registry.db import get_engine
from registry.models import Entry
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import add_entry

pytestmark = pytest.mark.skipif(TEST_DATABASE_URL.startswith("postgresql"),
                                reason="backup/restore handle the embedded SQLite database (PostgreSQL uses pg_dump)")


def _contents(app) -> list[tuple]:
    with Session(get_engine(app)) as s:
        return [(e.slug, e.name, e.revision) for e in s.exec(select(Entry).order_by(Entry.slug))]


def test_backup_during_writes_restores_to_identical_content(app, runner, tmp_path):
    for n in range(20):
        add_entry(app, f"lab/before-{n}", name=f"Before {n}")
    stop = threading.Event()

    def keep_writing():
        n = 0
        while not stop.is_set():
            add_entry(app, f"lab/during-{n}", name=f"During {n}")
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = runner.invoke(args=["backup", str(tmp_path / "snap.db")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output

    fresh = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'restored.db'}", "SECRET_KEY": "x",
                        "INSTANCE_PATH": str(tmp_path / "restored")})
    restored = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "snap.db")])
    assert restored.exit_code == 0, restored.output
    snapshot = _contents(fresh)
    live = _contents(app)
    # The backup is a consistent snapshot: every entry it holds is identical to the live one,
    # and it holds everything written before the backup began.
    assert set(snapshot) <= set(live)
    assert {f"lab/before-{n}" for n in range(20)} <= {slug for slug, _, _ in snapshot}
    get_engine(fresh).dispose()


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
