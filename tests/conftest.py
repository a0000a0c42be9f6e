"""Fixtures: an app on a fresh SQLite file copied from a migrated template, a client, a CLI runner,
and a factory of real git repositories."""
from __future__ import annotations

import shutil
from pathlib import Path

import git
import pytest

from registry import create_app
from registry.db import get_engine, upgrade_schema

SAMPLE_AUTHOR = git.Actor("Sample Author", "sample@example.org")
SAMPLE_DATE = "2026-02-01T10:00:00+00:00"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory) -> Path:
    """Migrate one database per test session; each test gets a copy (much faster than migrating)."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.db"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "template",
                      "INSTANCE_PATH": str(folder / "instance")})
    upgrade_schema(app)
    engine = get_engine(app)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def app(tmp_path, template_db):
    """An app on its own SQLite file, with the schema already migrated."""
    db_path = tmp_path / "registry.db"
    shutil.copyfile(template_db, db_path)
    application = create_app({
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "HARVEST_TIMEOUT": 30,
    })
    yield application
    get_engine(application).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def git_repo(tmp_path):
    """Build a real git repository under tmp_path/repos/<namespace>/<name> and return its path."""

    def build(files: dict[str, str | bytes], name: str = "acme/tool", message: str = "sample commit") -> Path:
        path = tmp_path / "repos" / name
        path.mkdir(parents=True, exist_ok=True)
        repo = git.Repo(path) if (path / ".git").exists() else git.Repo.init(path, initial_branch="main")
        for rel, content in files.items():
            target = path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        repo.git.add("-A")
        repo.index.commit(message, author=SAMPLE_AUTHOR, committer=SAMPLE_AUTHOR,
                          author_date=SAMPLE_DATE, commit_date=SAMPLE_DATE)
        return path

    return build
