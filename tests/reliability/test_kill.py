"""A harvest killed with SIGKILL at random points, 50 times: the database stays whole, no entry half-applied.

Each run is the real `flask --app registry harvest` of a batch of real git repositories — two
new ones (entries to create) and two known ones with a new commit (entries to update) — forked
from a prepared process (tests/reliability/kill_server.py) and killed with SIGKILL either after
a seeded random delay or a seeded random moment after its n-th write transaction began. The
child reports its transactions through a pipe, so the test knows where each kill landed.

After every kill: ``PRAGMA integrity_check`` is ok and every invariant of
tests/reliability/invariants.py holds (revisions 1..n, newest snapshot = entry, facet rows,
search rows and FTS5 index, source and run of the head commit), and each harvested entry is
wholly one generation of its repository: fields, translation, tags and head commit agree. An
entry either is all of that or does not exist. Then a normal harvest completes.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from registry import create_app
from registry.db import get_engine
from registry.models import Entry, Source, Translation
from tests.reliability.invariants import check_database
from tests.reliability.repos import generation_of, write_generation

ROOT = Path(__file__).resolve().parents[2]
KILLS = 50
SEED = 20261128
NEW_PER_RUN, UPDATED_PER_RUN = 2, 2


class KillServer:
    """The prepared process: one JSON request in, one JSON answer out."""

    def __init__(self, env: dict):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.reliability.kill_server"], cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        ready = self.proc.stdout.readline().strip()
        assert ready == "ready", self.proc.stderr.read()

    def run(self, **request) -> dict:
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline()
        assert answer, self.proc.stderr.read()
        return json.loads(answer)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.proc.stderr.close()


class Repositories:
    """The repositories harvested so far, the generation each is at, and every commit's generation."""

    def __init__(self, root: Path):
        self.root = root
        self.generation: dict[Path, int] = {}
        self.commit_generation: dict[str, int] = {}
        self.count = 0

    def new(self) -> Path:
        path = self.root / "lab" / f"model-{self.count}"
        self.count += 1
        self.bump(path)
        return path

    def bump(self, path: Path) -> None:
        g = self.generation.get(path, -1) + 1
        self.commit_generation[write_generation(path, g)] = g
        self.generation[path] = g


def _whole_generations(engine, repos: Repositories) -> list[str]:
    """Every harvested entry is one generation of its repository, all through; return what is not."""
    problems = []
    with Session(engine) as s:
        entries = s.exec(select(Entry)).all()
        per_source = Counter(src.url for src in s.exec(select(Source)))
        for url, n in per_source.items():
            if n > 1:
                problems.append(f"{url} has {n} sources")
        for entry in entries:
            g = repos.commit_generation.get(entry.head_commit)
            if g is None:
                problems.append(f"{entry.slug}: head commit {entry.head_commit} is no commit of its repository")
                continue
            translations = {t.lang: t for t in s.exec(select(Translation).where(Translation.entry_id == entry.id))}
            seen = {"summary": generation_of(entry.summary), "description": generation_of(entry.description),
                    "translation": generation_of(translations["fr"].summary) if "fr" in translations else None,
                    "tags": next((int(t[3:]) for t in entry.tags if t.startswith("gen")), None)}
            if set(seen.values()) != {g}:
                problems.append(f"{entry.slug}: head commit is generation {g} but it shows {seen}")
    return problems


@pytest.fixture
def harvest_env(tmp_path, database_url) -> dict:
    scratch = tmp_path / "scratch"  # clones a killed harvest leaves behind stay in the test's folder
    scratch.mkdir()
    return {**os.environ, "REGISTRY_DATABASE_URL": database_url, "REGISTRY_SECRET_KEY": "kill",
            "REGISTRY_INSTANCE_PATH": str(tmp_path / "instance"), "PYTHONPATH": str(ROOT), "TMPDIR": str(scratch)}


@pytest.mark.stress
def test_harvests_killed_at_random_points_leave_no_half_applied_entry(tmp_path, database_url, harvest_env):
    rng = random.Random(SEED)
    repos = Repositories(tmp_path / "repos")
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "kill", "INSTANCE_PATH": str(tmp_path / "i")})
    engine = get_engine(app)
    try:
        _kill_and_check(tmp_path, harvest_env, rng, repos, engine)
    finally:
        engine.dispose()


def _kill_and_check(tmp_path, harvest_env, rng, repos, engine):
    logs = tmp_path / "logs"
    logs.mkdir()
    server = KillServer(harvest_env)
    try:
        # Two complete runs (the second shaped like the killed ones): how long a batch takes and
        # how many write transactions it makes.
        for n, batch in enumerate(([repos.new() for _ in range(NEW_PER_RUN + UPDATED_PER_RUN)], _batch(rng, repos))):
            full = server.run(mode="none", sources=[str(p) for p in batch], log=str(logs / f"full-{n}.log"))
            assert full["status"] == 0, (logs / f"full-{n}.log").read_text()[-3000:]
            writes = full["events"].count("W")
            assert writes >= len(batch) and full["events"].endswith("c"), full  # a write transaction per source
            assert check_database(engine) == [] and _whole_generations(engine, repos) == []

        landed = Counter()
        runs = 0
        while landed["killed"] < KILLS:
            runs += 1
            assert runs <= 2 * KILLS, f"only {landed['killed']} of {runs} runs were killed: {landed}"
            batch = [str(p) for p in _batch(rng, repos)]
            if runs % 2:
                # Anywhere in the run: starting up, cloning, parsing, writing.
                request = {"mode": "delay", "delay": rng.uniform(0, 0.8 * full["seconds"])}
            else:
                # Right after a write transaction wrote its first row (inside it), or within a few
                # milliseconds (inside it, committing, or just after).
                jitter = rng.uniform(0, 0.002) if runs % 4 == 2 else rng.uniform(0, 0.03)
                request = {"mode": "write", "nth": rng.randint(1, writes), "jitter": jitter}
            log = logs / f"run-{runs}.log"
            result = server.run(sources=batch, log=str(log), **request)
            if not result["killed"]:
                assert result["status"] == 0, log.read_text()[-3000:]
                landed["finished"] += 1
            else:
                landed["killed"] += 1
                events = result["events"]
                if events.endswith(("W", "C")):
                    landed["inside a write transaction"] += 1
                elif "c" in events:
                    landed["between writes"] += 1
                else:
                    landed["before the first write"] += 1
                applied = sum(1 for p in batch if repos.commit_generation.get(_head(engine, p)) ==
                              repos.generation[Path(p)])
                if 0 < applied < len(batch):
                    landed["mid-batch"] += 1
            problems = check_database(engine) + _whole_generations(engine, repos)
            assert problems == [], f"after run {runs} ({request}, events {result['events']!r}): {problems[:5]}"
    finally:
        server.close()
    print(f"\n{runs} runs, {dict(landed)}")
    # The kills really landed mid-write (inside write transactions, and between the sources of a
    # batch), not only before or after the harvest.
    assert landed["inside a write transaction"] >= 10 and landed["mid-batch"] >= 5, landed

    # Then a normal harvest of everything completes and brings every entry to its newest commit.
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "registry", "harvest",
                           *[str(p) for p in sorted(repos.generation)]],
                          cwd=ROOT, env=harvest_env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert check_database(engine) == [] and _whole_generations(engine, repos) == []
    with Session(engine) as s:
        entries = s.exec(select(Entry)).all()
    assert len(entries) == len(repos.generation)
    for path, g in repos.generation.items():
        assert repos.commit_generation[_head(engine, str(path))] == g


def _batch(rng: random.Random, repos: Repositories) -> list[Path]:
    """Known repositories with a new commit each, and new ones."""
    updated = rng.sample(sorted(repos.generation), UPDATED_PER_RUN)
    for path in updated:
        repos.bump(path)
    return updated + [repos.new() for _ in range(NEW_PER_RUN)]


def _head(engine, path: str) -> str | None:
    with Session(engine) as s:
        entry = s.exec(select(Entry).where(Entry.source_url == path)).first()
        return entry.head_commit if entry else None
