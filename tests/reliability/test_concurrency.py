"""Web edits and a harvester writing at once: 10,000 operations, no "database is locked", nothing lost.

The web side runs in this process on several threads: moderators saving through the editing
service, through the JSON API (PATCH with base_revision, retried on 409 like a client would) and
through the HTML edit form. The harvester is a process of its own (as the operator's cron
harvest is beside the web server): it commits a new generation to real git repositories and
harvests them with the real harvest_source, while editors edit those same entries. Every
operation is accounted for: each saved edit and each updating harvest is exactly one revision.
Runs on the test database (SQLite file, or PostgreSQL with REGISTRY_TEST_DATABASE_URL).
"""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from registry import create_app
from registry.db import get_engine, write_session
from registry.models import Entry, HarvestRun, Revision
from registry.services import Actor
from registry.services.editing import edit_entry
from registry.services.tokens import create_token
from registry.services.users import create_user
from tests.helpers import add_entry, harvest_options, harvest_source
from tests.reliability.invariants import check_database
from tests.reliability.repos import generation_of, write_generation

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "long enough pw"

PLAIN_ENTRIES = 40          # edited by people only
REPOSITORIES = 8            # harvested again and again, and edited by people meanwhile
HARVEST_ROUNDS = 35         # 8 × 35 = 280 harvests
SERVICE_EDITORS, SERVICE_EDITS = 3, 2_680
API_EDITORS, API_EDITS = 2, 730
FORM_EDITS = 220
TOTAL = REPOSITORIES * HARVEST_ROUNDS + SERVICE_EDITORS * SERVICE_EDITS + API_EDITORS * API_EDITS + FORM_EDITS
_FORM_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def quick_thread_switches():
    """Threads stand in for a web server's worker processes: let them take turns at the interpreter
    more often than every 5 ms, or a writer holding the lock waits for its turn behind the others."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.0005)
    yield
    sys.setswitchinterval(before)


@pytest.fixture
def busy_app(tmp_path, database_url, quick_thread_switches):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "concurrency",
                      "INSTANCE_PATH": str(tmp_path / "instance"), "HARVEST_TIMEOUT": 120,
                      # The point is the database under load, not the per-person limits.
                      "API_WRITE_RATE_LIMIT": "1000000 per minute", "PROPOSAL_RATE_LIMIT": "1000000 per minute"})
    yield app
    get_engine(app).dispose()


class Ledger:
    """What each worker did: saved edits per entry, conflicts met, and every unexpected failure."""

    def __init__(self):
        self.lock = threading.Lock()
        self.saved: Counter[str] = Counter()
        self.conflicts = Counter()
        self.failures: list[str] = []

    def save(self, slug: str):
        with self.lock:
            self.saved[slug] += 1

    def conflict(self, kind: str):
        with self.lock:
            self.conflicts[kind] += 1

    def fail(self, what: str):
        with self.lock:
            self.failures.append(what[:2000])


def _service_editor(app, ledger: Ledger, slugs: list[str], seed: int, actor: Actor):
    rng = random.Random(seed)
    for n in range(SERVICE_EDITS):
        slug = rng.choice(slugs)
        try:
            with write_session(app) as s:
                # Read and write in one transaction: the base revision is the one being replaced.
                current = s.exec(select(Entry.revision).where(Entry.slug == slug)).one()
                edit_entry(s, slug=slug, actor=actor, changes={"tags": [f"svc{seed}-{n}"]}, base_revision=current)
            ledger.save(slug)
        except Exception as err:  # noqa: BLE001 - every failure is counted and fails the test
            ledger.fail(f"service edit of {slug}: {err!r}")


def _api_editor(app, ledger: Ledger, slugs: list[str], seed: int, token: str):
    rng = random.Random(seed)
    client = app.test_client()
    auth = {"Authorization": f"Bearer {token}"}
    for n in range(API_EDITS):
        slug = rng.choice(slugs)
        try:
            got = client.get(f"/api/v1/entries/{slug}")
            assert got.status_code == 200, got.get_data(as_text=True)[:500]
            base = got.json["revision"]
            for _attempt in range(50):
                resp = client.patch(f"/api/v1/entries/{slug}", json={"summary": f"api {seed}-{n}", "base_revision": base},
                                    headers=auth)
                if resp.status_code != 409:
                    break
                # Someone saved in between: take the current revision and send the change again.
                ledger.conflict("api")
                base = resp.json["error"]["details"]["current"]["revision"]
            assert resp.status_code == 200, f"{resp.status_code} {resp.get_data(as_text=True)[:500]}"
            ledger.save(slug)
        except Exception as err:  # noqa: BLE001
            ledger.fail(f"API edit of {slug}: {err!r}")


def _form_editor(app, ledger: Ledger, slugs: list[str], seed: int):
    rng = random.Random(seed)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    signed_in = client.post("/login", data={"csrf_token": _FORM_TOKEN.search(page).group(1), "name": "formmod",
                                            "password": PASSWORD})
    assert signed_in.status_code == 302
    for n in range(FORM_EDITS):
        slug = rng.choice(slugs)
        try:
            for _attempt in range(50):
                html = client.get(f"/entries/{slug}/edit").get_data(as_text=True)
                entry = client.get(f"/api/v1/entries/{slug}").json
                base = re.search(r'name="base_revision" type="hidden" value="(\d+)"', html).group(1)
                form = {"csrf_token": _FORM_TOKEN.search(html).group(1), "base_revision": base, "note": "form",
                        **{k: entry[k] or "" for k in ("kind", "name", "summary", "description", "language",
                                                       "license", "region", "homepage", "version")},
                        **{k: ", ".join(entry[k]) for k in ("languages", "tasks", "frameworks")},
                        "tags": f"form{n}"}
                resp = client.post(f"/entries/{slug}/edit", data=form)
                if resp.status_code != 409:
                    break
                ledger.conflict("form")
            assert resp.status_code == 302, f"{resp.status_code} {resp.get_data(as_text=True)[:800]}"
            ledger.save(slug)
        except Exception as err:  # noqa: BLE001
            ledger.fail(f"form edit of {slug}: {err!r}")


@pytest.mark.stress
def test_web_edits_and_a_harvester_at_once(busy_app, tmp_path, database_url):
    assert TOTAL == 10_000
    app = busy_app
    plain = [add_entry(app, f"lab/plain-{n}", summary=f"Plain {n}.", languages=["sw"]) for n in range(PLAIN_ENTRIES)]
    repos = [tmp_path / "repos" / "lab" / f"model-{n}" for n in range(REPOSITORIES)]
    options = harvest_options(app, operator=True)
    harvested = []
    for path in repos:
        write_generation(path, 0, extra_files=20)
        with app.app_context():
            result = harvest_source(app, source=str(path), kind="git", options=options)
        assert result.outcome.value == "created", result.error
        harvested.append(result.slug)
    with write_session(app) as s:
        ids = {name: create_user(s, name=name, email=f"{name}@example.org", password=PASSWORD, role="moderator").id
               for name in ("svcmod", "apimod", "formmod")}
        token, _ = create_token(s, user_name="apimod", scope="write")
    svc_actor = Actor(name="svcmod", role="moderator", user_id=ids["svcmod"])
    with Session(get_engine(app)) as s:
        initial_revisions = s.exec(select(func.count()).select_from(Revision)).one()
    targets = plain + harvested

    harvester = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.harvest_loop", json.dumps({
            "database_url": database_url, "instance": str(tmp_path / "harvester"), "repos": [str(p) for p in repos],
            "rounds": HARVEST_ROUNDS, "first_generation": 1})],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    ledger = Ledger()
    try:
        assert harvester.stdout.readline().strip() == "ready", harvester.stderr.read()
        started = time.monotonic()
        workers = [threading.Thread(target=_service_editor, args=(app, ledger, targets, seed, svc_actor))
                   for seed in range(SERVICE_EDITORS)]
        workers += [threading.Thread(target=_api_editor, args=(app, ledger, targets, 100 + seed, token))
                    for seed in range(API_EDITORS)]
        workers.append(threading.Thread(target=_form_editor, args=(app, ledger, targets, 200)))
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        edits_seconds = time.monotonic() - started
        out, err = harvester.communicate(timeout=600)
    finally:
        if harvester.poll() is None:
            harvester.kill()
            harvester.wait()
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    harvests = [line for line in lines if "outcome" in line]
    summary = lines[-1]
    assert harvester.returncode == 0 and summary.get("done"), err[-3000:]

    # Zero failures of any kind — "database is locked" above all — on either side.
    assert ledger.failures == [], f"{len(ledger.failures)} failed edits, e.g. {ledger.failures[:3]}"
    bad_harvests = [h for h in harvests if h["outcome"] != "updated"]
    assert bad_harvests == [], bad_harvests[:3]
    assert "database is locked" not in err
    assert len(harvests) == REPOSITORIES * HARVEST_ROUNDS

    # Every operation is accounted for: one revision per saved edit and per updating harvest.
    edits = sum(ledger.saved.values())
    assert edits + len(harvests) == TOTAL
    updates_of = Counter(h["slug"] for h in harvests)
    with Session(get_engine(app)) as s:
        total_revisions = s.exec(select(func.count()).select_from(Revision)).one()
        assert total_revisions == initial_revisions + TOTAL
        for entry in s.exec(select(Entry)):
            assert entry.revision == 1 + ledger.saved[entry.slug] + updates_of[entry.slug], entry.slug
        runs = s.exec(select(func.count()).select_from(HarvestRun)).one()
        assert runs == PLAIN_ENTRIES + REPOSITORIES * (HARVEST_ROUNDS + 1)  # add_entry records a run too
        # People's edits and the harvests really interleaved (not one after the other).
        authors = [a for a in s.exec(select(Revision.author).where(Revision.id > initial_revisions)
                                     .order_by(Revision.id))]
        switches = sum(1 for a, b in zip(authors, authors[1:]) if (a == "harvester") != (b == "harvester"))
        assert switches > HARVEST_ROUNDS, f"only {switches} switches between harvester and editors"
        # The last generation was applied to every harvested entry, beside the people's edits.
        for slug in harvested:
            entry = s.exec(select(Entry).where(Entry.slug == slug)).one()
            assert generation_of(entry.description) == HARVEST_ROUNDS
    assert check_database(get_engine(app)) == []
    print(f"\n{TOTAL} operations: {edits} edits ({dict(ledger.conflicts)} 409s retried) in {edits_seconds:.1f} s, "
          f"{len(harvests)} harvests in {summary['seconds']:.1f} s")
