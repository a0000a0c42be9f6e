"""Fixtures: an app on a fresh SQLite file copied from a migrated template, a client, a CLI runner,
and a factory of real git repositories; and the run-wide caches that keep building an app per test cheap
(compiled templates) and RQ workers quick to stop."""
from __future__ import annotations

import itertools
import os
import shutil
import uuid
from pathlib import Path

import git
import jinja2
import pytest
import sqlalchemy as sa
from flask import Flask

from registry import create_app
from registry.db import get_engine, make_engine, upgrade_schema

#: Run the suite against this database server instead of temporary SQLite files.
TEST_DATABASE_URL = os.environ.get("REGISTRY_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

SAMPLE_AUTHOR = git.Actor("Sample Author", "sample@example.org")
SAMPLE_DATE = "1769940000 +0000"  # 2026-02-01 10:00 UTC, in git's own format


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for every app this process builds (the source's checksum still
    decides: an edited template is compiled again)."""

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def _templates_compiled_once():
    """Give every Flask app of the run one bytecode cache: a test's new app renders without compiling."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Flask, "jinja_options", {**Flask.jinja_options, "bytecode_cache": _CompiledTemplates()})
        yield


@pytest.fixture(scope="session", autouse=True)
def _url_rules_compiled_once():
    """Share Werkzeug's generated URL builders between the apps of a run.

    Building an app compiles a Python function per URL rule (most of create_app's time); the function
    depends only on the rule's text, its trace of static and variable parts and its defaults' names,
    and reads the rule's converters when called, so rules alike in those can share one.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:  # a Werkzeug that builds URLs some other way: nothing to share
        yield
        return
    builders: dict[tuple, object] = {}

    def shared_builder(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        if any(dynamic and part in defaults for dynamic, part in self._trace):
            # A default for a variable of the rule is baked into the function as text: not shared.
            return compile_builder(self, append_unknown)
        key = (append_unknown, self.rule, tuple(self._trace), tuple(defaults))
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Rule, "_compile_builder", shared_builder)
        yield


def _server_url(database: str) -> str:
    return sa.engine.make_url(TEST_DATABASE_URL).set(database=database).render_as_string(hide_password=False)


class _PostgresDatabases:
    """A template database migrated once; each test gets a copy made with CREATE DATABASE … TEMPLATE."""

    def __init__(self):
        self.prefix = f"registry_test_{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_template"
        self.counter = itertools.count()
        self.admin = make_engine(TEST_DATABASE_URL).execution_options(isolation_level="AUTOCOMMIT")
        try:
            with self.admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{self.template}"')
        except sa.exc.OperationalError as err:
            if IN_CI:
                raise
            pytest.skip(f"REGISTRY_TEST_DATABASE_URL is set but the server is not reachable: {err.orig}")
        app = create_app({"DATABASE_URL": _server_url(self.template), "SECRET_KEY": "template",
                          "INSTANCE_PATH": "/nonexistent"})
        upgrade_schema(app)
        get_engine(app).dispose()

    def create(self) -> str:
        name = f"{self.prefix}_{next(self.counter)}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY FILE_COPY')
        return name

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        self.drop(self.template)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_databases():
    """The PostgreSQL template, when REGISTRY_TEST_DATABASE_URL names a server."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        yield None
        return
    dbs = _PostgresDatabases()
    yield dbs
    dbs.close()


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
def database_url(tmp_path, request):
    """A fresh, migrated database for one test: a copied SQLite file, or a PostgreSQL copy."""
    pg = request.getfixturevalue("postgres_databases")
    if pg is not None:
        name = pg.create()
        yield _server_url(name)
        pg.drop(name)
        return
    db_path = tmp_path / "registry.db"
    shutil.copyfile(request.getfixturevalue("template_db"), db_path)
    yield f"sqlite:///{db_path}"


@pytest.fixture
def app(tmp_path, database_url):
    """An app on its own database, with the schema already migrated."""
    application = create_app({
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "HARVEST_TIMEOUT": 30,
    })
    yield application
    get_engine(application).dispose()


@pytest.fixture
def client(app):
    """A test client; every response it gets from /api/v1 is checked against the OpenAPI document."""
    from tests.openapi_check import openapi_client

    return openapi_client(app)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def git_repo(tmp_path):
    """Build a real git repository under tmp_path/repos/<namespace>/<name> and return its path.

    Calling it again with the same name adds a commit. ``symlinks`` maps relative paths to link
    targets, committed as symbolic links; with no files and no links the repository has no commits.
    """

    def build(files: dict[str, str | bytes], name: str = "acme/tool", message: str = "sample commit", *,
              symlinks: dict[str, str] | None = None) -> Path:
        path = tmp_path / "repos" / name
        path.mkdir(parents=True, exist_ok=True)
        repo = git.Repo(path) if (path / ".git").exists() else git.Repo.init(path, initial_branch="main")
        for rel, content in files.items():
            target = path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8", newline="")
        for rel, link_target in (symlinks or {}).items():
            link = path / rel
            link.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(link_target, link)
        if files or symlinks:
            repo.git.add("-A")
            repo.index.commit(message, author=SAMPLE_AUTHOR, committer=SAMPLE_AUTHOR,
                              author_date=SAMPLE_DATE, commit_date=SAMPLE_DATE)
        repo.close()
        return path

    return build
