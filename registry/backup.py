"""Online backup and restore of the embedded SQLite database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask
from sqlalchemy.engine import make_url

from .errors import Invalid


def _sqlite_path(app: Flask) -> Path:
    url = make_url(app.config["DATABASE_URL"])
    if url.get_backend_name() != "sqlite" or not url.database:
        # PostgreSQL has its own tools, which handle large databases and roles properly.
        raise Invalid(
            "backup and restore handle the embedded SQLite database; on PostgreSQL use pg_dump and pg_restore"
        )
    return Path(url.database)


def backup_database(app: Flask, target: Path) -> int:
    """Copy the live database to ``target`` with SQLite's online backup (safe during writes); return its size."""
    source = _sqlite_path(app)
    if target.exists():
        raise Invalid(f"{target} exists; choose a new file so no backup is overwritten")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        # One step, one read transaction: a consistent snapshot of the moment it began, while
        # other connections keep writing to the write-ahead log. (Copying in several steps
        # starts over whenever another connection writes in between: under steady writes a
        # large database would never finish.)
        src.backup(dst, pages=-1)
    check = sqlite3.connect(target)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise Invalid(f"the backup in {target} failed its integrity check")
    finally:
        check.close()
    return target.stat().st_size


def restore_database(app: Flask, source: Path) -> None:
    """Restore a backup into this instance, which must not have a database with entries yet."""
    target = _sqlite_path(app)
    if not source.is_file():
        raise Invalid(f"{source} is not a file")
    probe = sqlite3.connect(source)
    try:
        if probe.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise Invalid(f"{source} is not an intact SQLite database")
        probe.execute("SELECT count(*) FROM entries").fetchone()
    except sqlite3.DatabaseError as err:
        raise Invalid(f"{source} is not a registry backup: {err}") from None
    finally:
        probe.close()
    if target.exists():
        current = sqlite3.connect(target)
        try:
            has_entries = (
                current.execute("SELECT count(*) FROM sqlite_master WHERE name='entries'").fetchone()[0]
                and current.execute("SELECT count(*) FROM entries").fetchone()[0]
            )
        finally:
            current.close()
        if has_entries:
            raise Invalid(f"{target} already holds entries; restore only into an empty instance")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
