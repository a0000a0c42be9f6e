"""The embedded database: pragmas, up-front write locks, and migrations that build the schema."""
from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from registry import create_app
from registry.db import get_engine, upgrade_schema, write_session
from registry.models import User
from tests.conftest import TEST_DATABASE_URL

sqlite_only = pytest.mark.skipif(TEST_DATABASE_URL.startswith("postgresql"),
                                 reason="checks the embedded SQLite engine's settings")


@sqlite_only
def test_sqlite_pragmas(app):
    with get_engine(app).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_migrations_build_every_table(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}", "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path)})
    upgrade_schema(app)
    tables = set(sa.inspect(get_engine(app)).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    get_engine(app).dispose()


def test_concurrent_read_then_write_transactions_wait_instead_of_failing(app):
    """Two writers that read then write: the second waits for the first (BEGIN IMMEDIATE on SQLite,
    the writers' advisory lock on PostgreSQL), so it reads what the first one wrote."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def writer(n: int):
        try:
            barrier.wait()
            with write_session(app) as s:
                count = s.exec(sa.select(sa.func.count()).select_from(User)).one()[0]
                time.sleep(0.2)  # hold the lock across the read and the write
                s.add(User(name=f"user{n}{count}", email=f"u{n}@example.org", password_hash="x"))
        except BaseException as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(get_engine(app)) as s:
        names = sorted(u.name for u in s.exec(select(User)))
    # The second writer saw the first one's row: its count was 1, not a stale 0.
    assert names in (["user00", "user11"], ["user01", "user10"])
