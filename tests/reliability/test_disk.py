"""A full disk and a read-only database: a clear error on the web, the API and the CLI; nothing corrupted.

Tests run as root, so file modes cannot make anything read-only or full. Instead:

- a full disk is a small tmpfs filled to the last page (a real ENOSPC), or, where mounting is not
  allowed, a file-size limit (RLIMIT_FSIZE with SIGXFSZ ignored, so writes get EFBIG);
- a read-only database is a read-only bind mount of its folder (reads still work while another
  process keeps the database open, writes cannot), or, where mounting is not allowed, SQLite's
  own ``mode=ro``; and a whole read-only file system under a registry that starts on it.

Each time the people (a form edit, an API PATCH) and the operator (`flask --app registry harvest`,
the real command in a process of its own) get a 503 or an ``Error:`` line that says what is
wrong and that nothing was changed; the database passes ``PRAGMA integrity_check`` with exactly
the content it had; and once space returns (or the mount is writable again) the same writes work.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry import create_app
from registry.db import get_engine, write_session
from registry.services.tokens import create_token
from registry.services.users import create_user
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import add_entry, harvest_options, harvest_source
from tests.openapi_check import openapi_client
from tests.reliability.invariants import check_database
from tests.reliability.repos import write_generation

sqlite_only = pytest.mark.skipif(TEST_DATABASE_URL.startswith("postgresql"),
                                 reason="disk-level failures of the embedded SQLite database")

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "long enough pw"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: A file-size limit no SQLite write-ahead log can stay under for a real change (two 4 KiB frames),
#: while a small git clone still fits.
FSIZE_LIMIT = 8192


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True)


def _mounting_works(tmp_path_factory) -> bool:
    probe = tmp_path_factory.mktemp("probe")
    if _run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)).returncode != 0:
        return False
    _run("umount", str(probe))
    return True


@pytest.fixture(scope="module")
def can_mount(tmp_path_factory) -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None and _mounting_works(tmp_path_factory)


@pytest.fixture
def mounts():
    """Mount things for one test; unmount them all afterwards, newest first."""
    done: list[Path] = []

    def mount(*args: str, target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True)
        result = _run("mount", *args, str(target))
        assert result.returncode == 0, result.stderr
        done.append(target)

    yield mount
    for target in reversed(done):
        _run("umount", "-l", str(target))


def _app(tmp_path: Path, db: Path, template: Path | None = None, url: str | None = None):
    if template is not None:
        shutil.copyfile(template, db)
    return create_app({"TESTING": True, "DATABASE_URL": url or f"sqlite:///{db}", "SECRET_KEY": "disk",
                       "INSTANCE_PATH": str(tmp_path / "instance"), "HARVEST_TIMEOUT": 60})


def _load(app, repo: Path) -> str:
    """Entries, a moderator with a write token, and a harvested repository; return the token."""
    for n in range(3):
        add_entry(app, f"lab/entry-{n}", summary=f"Entry number {n}.", languages=["sw"], license="MIT")
    write_generation(repo, 0)
    with app.app_context():
        assert harvest_source(app, source=str(repo), kind="git",
                              options=harvest_options(app, operator=True)).outcome.value == "created"
    with write_session(app) as s:
        create_user(s, name="mod", email="mod@example.org", password=PASSWORD, role="moderator")
        token, _ = create_token(s, user_name="mod", scope="write")
    return token


def _contents(db: Path) -> dict[str, list]:
    """Every row of every table, read without writing anything (not even a -shm file's header)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert [r[0] for r in conn.execute("PRAGMA integrity_check")] == ["ok"]
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]
        return {t: conn.execute(f'SELECT * FROM "{t}" ORDER BY 1').fetchall() for t in tables}
    finally:
        conn.close()


def _sign_in(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    resp = client.post("/login", data={"csrf_token": _CSRF.search(page).group(1), "name": "mod", "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]


def _form_edit(client, slug: str, summary: str):
    html = client.get(f"/entries/{slug}/edit").get_data(as_text=True)
    entry = client.get(f"/api/v1/entries/{slug}").json
    form = {"csrf_token": _CSRF.search(html).group(1), "note": "",
            "base_revision": re.search(r'name="base_revision" type="hidden" value="(\d+)"', html).group(1),
            **{k: entry[k] or "" for k in ("kind", "name", "description", "language", "license", "region",
                                           "homepage", "version")},
            **{k: ", ".join(entry[k]) for k in ("languages", "tasks", "tags", "frameworks")}, "summary": summary}
    return client.post(f"/entries/{slug}/edit", data=form)


def _api_edit(client, token: str, slug: str, summary: str):
    base = client.get(f"/api/v1/entries/{slug}").json["revision"]
    return client.patch(f"/api/v1/entries/{slug}", json={"summary": summary, "base_revision": base},
                        headers={"Authorization": f"Bearer {token}"})


def _cli(tmp_path: Path, url: str, *args: str, fsize_limit: int | None = None) -> subprocess.CompletedProcess:
    """The operator's real command line, in a process of its own (with a file-size limit when asked)."""
    def limit():  # runs in the child, before flask starts
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))

    env = {**os.environ, "REGISTRY_DATABASE_URL": url, "REGISTRY_SECRET_KEY": "disk",
           "REGISTRY_INSTANCE_PATH": str(tmp_path / "cli-instance"), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "registry", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120,
                          preexec_fn=limit if fsize_limit else None)


def _cli_harvest(tmp_path: Path, url: str, repo: Path) -> subprocess.CompletedProcess:
    return _cli(tmp_path, url, "harvest", str(repo))


def _page_says(resp, *words: str) -> None:
    html = resp.get_data(as_text=True).replace("&#39;", "'")
    for word in words:
        assert word in html, f"{word!r} not on the {resp.status_code} page: {html[:1500]}"


@contextlib.contextmanager
def _file_size_limit(limit: int):
    """Make every file of this process unable to grow beyond ``limit`` bytes (EFBIG, not a signal)."""
    old_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old_handler)


def _fill(folder: Path) -> Path:
    """Write a file until the file system has no page left."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as fh:
        for chunk in (1 << 20, 1 << 12):
            try:
                while True:
                    fh.write(b"\0" * chunk)
            except OSError as err:
                assert err.errno == errno.ENOSPC, err
    return filler


@pytest.mark.slow
@sqlite_only
@pytest.mark.parametrize("how", ["tmpfs", "file-size limit"])
def test_a_full_disk_gives_a_clear_error_and_no_corruption(how, can_mount, mounts, tmp_path, template_db):
    if how == "tmpfs" and not can_mount:
        pytest.skip("mounting a tmpfs is not allowed here; the file-size limit variant covers a full disk")
    disk = tmp_path / "disk"
    if how == "tmpfs":
        mounts("-t", "tmpfs", "-o", "size=2m", "tmpfs", target=disk)
    else:
        disk.mkdir()
    db = disk / "registry.db"
    app = _app(tmp_path, db, template_db)
    repo = tmp_path / "repos" / "lab" / "sentiment"
    token = _load(app, repo)
    write_generation(repo, 1)  # new upstream content the next harvest must write
    web, api = app.test_client(), openapi_client(app)
    _sign_in(web)
    with get_engine(app).connect() as conn:
        # An empty write-ahead log: the next change needs new pages on the disk.
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    before = _contents(db)
    url = f"sqlite:///{db}"
    reason = "the disk is full" if how == "tmpfs" else "input/output error"

    if how == "tmpfs":
        filler = _fill(disk)
        limit = contextlib.nullcontext()
    else:
        limit = _file_size_limit(FSIZE_LIMIT)
    with limit:
        resp = _form_edit(web, "lab/entry-0", "Saved on a full disk?")
        assert resp.status_code == 503
        _page_says(resp, "could not save this change", reason, "Nothing was changed")
        resp = _api_edit(api, token, "lab/entry-1", "Saved on a full disk?")
        assert resp.status_code == 503 and resp.json["error"]["code"] == "unavailable"
        assert reason in resp.json["error"]["message"] and "Nothing was changed" in resp.json["error"]["message"]
        # Reading still works on a full disk.
        assert web.get("/entries/lab/entry-0").status_code == 200
    if how == "tmpfs":
        cli = _cli_harvest(tmp_path, url, repo)
    else:
        # A file-size limit also stops the harvester's own temporary files (its language model is
        # unpacked to one), so the operator's write here is an account instead.
        cli = _cli(tmp_path, url, "create-user", "amina", "--email", "amina@example.org", "--password", PASSWORD,
                   fsize_limit=FSIZE_LIMIT)
    assert cli.returncode == 1, cli.stdout + cli.stderr
    assert "Error: The registry could not save this change: " in cli.stderr and reason in cli.stderr, cli.stderr
    assert "Traceback" not in cli.stderr

    # Nothing was corrupted and nothing half-written: the database is exactly what it was.
    assert _contents(db) == before
    assert check_database(get_engine(app)) == []

    # Space comes back: the same writes go through.
    if how == "tmpfs":
        filler.unlink()
    assert _form_edit(web, "lab/entry-0", "Saved once there was space.").status_code == 302
    assert _api_edit(api, token, "lab/entry-1", "Saved once there was space.").status_code == 200
    cli = _cli_harvest(tmp_path, url, repo)
    assert cli.returncode == 0 and "1 updated" in cli.stdout, cli.stdout + cli.stderr
    assert check_database(get_engine(app)) == []
    after = _contents(db)
    assert len(after["revisions"]) == len(before["revisions"]) + 3
    assert web.get("/entries/lab/entry-0").get_data(as_text=True).count("Saved once there was space.") >= 1
    get_engine(app).dispose()


@pytest.mark.slow
@sqlite_only
@pytest.mark.parametrize("how", ["read-only bind mount", "mode=ro"])
def test_a_read_only_database_gives_a_clear_error_and_no_corruption(how, can_mount, mounts, tmp_path, template_db):
    if how == "read-only bind mount" and not can_mount:
        pytest.skip("mounting is not allowed here; the mode=ro variant covers a read-only database")
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "registry.db"
    writer = _app(tmp_path, db, template_db)
    repo = tmp_path / "repos" / "lab" / "sentiment"
    token = _load(writer, repo)
    write_generation(repo, 1)
    # Another process (the harvester host, say) keeps the database open read-write meanwhile.
    keeper = sqlite3.connect(db)
    keeper.execute("SELECT count(*) FROM entries").fetchone()
    before = _contents(db)
    if how == "read-only bind mount":
        ro = tmp_path / "ro"
        mounts("--bind", str(folder), target=ro)
        assert _run("mount", "-o", "remount,bind,ro", str(ro)).returncode == 0
        url = f"sqlite:///{ro / 'registry.db'}"
    else:
        url = f"sqlite:///file:{db}?mode=ro&uri=true"
    reader = _app(tmp_path, db, url=url)
    try:
        web, api = reader.test_client(), openapi_client(reader)
        # Everything that only reads works.
        page = web.get("/entries/lab/entry-0")
        assert page.status_code == 200 and "Entry number 0." in page.get_data(as_text=True)
        assert web.get("/api/v1/entries?q=sentiment").json["total"] == 1
        # Signing in only reads; every write says why it cannot be done.
        _sign_in(web)
        resp = _form_edit(web, "lab/entry-0", "Saved read-only?")
        assert resp.status_code == 503
        _page_says(resp, "could not save this change", "the database is read-only", "Nothing was changed")
        resp = _api_edit(api, token, "lab/entry-1", "Saved read-only?")
        assert resp.status_code == 503 and "the database is read-only" in resp.json["error"]["message"]
        cli = _cli_harvest(tmp_path, url, repo)
        assert cli.returncode == 1 and "Traceback" not in cli.stderr, cli.stderr
        assert "Error: The registry could not save this change: the database is read-only" in cli.stderr, cli.stderr
        assert _contents(db) == before
    finally:
        get_engine(reader).dispose()
    keeper.close()

    # Writable again (the operator fixed the mount): the same writes go through, nothing was lost.
    again = _app(tmp_path, db, url=f"sqlite:///{db}")
    web, api = again.test_client(), openapi_client(again)
    _sign_in(web)
    assert _form_edit(web, "lab/entry-0", "Saved when writable.").status_code == 302
    assert _api_edit(api, token, "lab/entry-1", "Saved when writable.").status_code == 200
    cli = _cli_harvest(tmp_path, f"sqlite:///{db}", repo)
    assert cli.returncode == 0 and "1 updated" in cli.stdout, cli.stdout + cli.stderr
    assert check_database(get_engine(again)) == []
    assert len(_contents(db)["revisions"]) == len(before["revisions"]) + 3
    get_engine(again).dispose()
    get_engine(writer).dispose()


@sqlite_only
def test_a_registry_starting_on_a_read_only_file_system_says_so(can_mount, mounts, tmp_path, template_db):
    """No connection left open, the file system read-only: SQLite cannot even open a WAL database."""
    if not can_mount:
        pytest.skip("mounting is not allowed here")
    disk = tmp_path / "disk"
    mounts("-t", "tmpfs", "-o", "size=2m", "tmpfs", target=disk)
    db = disk / "registry.db"
    app = _app(tmp_path, db, template_db)
    repo = tmp_path / "repos" / "lab" / "sentiment"
    _load(app, repo)
    before = _contents(db)
    get_engine(app).dispose()  # the last connection out removes the -wal and -shm files
    assert sorted(p.name for p in disk.iterdir()) == ["registry.db"]
    assert _run("mount", "-o", "remount,ro", str(disk)).returncode == 0

    app = _app(tmp_path, db)
    client = app.test_client()
    resp = client.get("/entries/lab/entry-0")
    assert resp.status_code == 503
    _page_says(resp, "cannot use its database now", "cannot be opened", "read-only")
    resp = client.get("/api/v1/entries")
    assert resp.status_code == 503 and resp.json["error"]["code"] == "unavailable"
    cli = _cli_harvest(tmp_path, f"sqlite:///{db}", repo)
    assert cli.returncode == 1 and "Traceback" not in cli.stderr, cli.stderr
    assert "Error: The registry cannot use its database now: the database file cannot be opened" in cli.stderr
    get_engine(app).dispose()

    assert _run("mount", "-o", "remount,rw", str(disk)).returncode == 0
    assert _contents(db) == before
    app = _app(tmp_path, db)
    assert app.test_client().get("/entries/lab/entry-0").status_code == 200
    assert check_database(get_engine(app)) == []
    get_engine(app).dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not TEST_DATABASE_URL.startswith("postgresql"), reason="PostgreSQL runs with REGISTRY_TEST_DATABASE_URL")
def test_a_read_only_postgresql_database_says_so(app, tmp_path, postgres_databases):
    """A standby, or a database an operator set to read-only: the same clear 503 and Error: line."""
    repo = tmp_path / "repos" / "lab" / "sentiment"
    token = _load(app, repo)
    url = app.config["DATABASE_URL"]
    name = sa.engine.make_url(url).database
    with postgres_databases.admin.connect() as conn:
        conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    get_engine(app).dispose()  # new connections take the setting
    try:
        api = openapi_client(app)
        assert api.get("/api/v1/entries/lab/entry-1").status_code == 200
        resp = _api_edit(api, token, "lab/entry-1", "Saved read-only?")
        assert resp.status_code == 503 and resp.json["error"]["code"] == "unavailable"
        assert "the database server is read-only" in resp.json["error"]["message"]
        cli = _cli(tmp_path, url, "create-user", "amina", "--email", "amina@example.org", "--password", PASSWORD)
        assert cli.returncode == 1 and "Traceback" not in cli.stderr, cli.stderr
        assert "Error: The registry could not save this change: the database server is read-only" in cli.stderr
    finally:
        with postgres_databases.admin.connect() as conn:
            conn.exec_driver_sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
        get_engine(app).dispose()
    assert _api_edit(app.test_client(), token, "lab/entry-1", "Saved when writable.").status_code == 200
    assert check_database(get_engine(app)) == []
