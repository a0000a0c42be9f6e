"""Harvest jobs: in-process without Redis; on an RQ queue with real workers when Redis is configured."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from registry.db import get_engine
from registry.jobs import enqueue_harvest, get_job
from registry.models import Entry, HarvestRun, Source
from tests.conftest import IN_CI

REDIS_URL = os.environ.get("REGISTRY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
README = "# Sample {n}\n\nSample model number {n} for the queue test, written for the registry's own tests.\n"


@pytest.fixture
def redis_app(app):
    """The test app with a Redis queue of its own; skipped (failed in CI) when Redis is not running."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError as err:
        if IN_CI:
            raise
        pytest.skip(f"no Redis server at {REDIS_URL}: {err}")
    app.config.update(REDIS_URL=REDIS_URL, QUEUE_NAME=f"test-{uuid.uuid4().hex}")
    yield app
    from rq import Queue

    from registry.jobs import redis_connection

    Queue(app.config["QUEUE_NAME"], connection=redis_connection(app)).delete(delete_jobs=True)


def _count(app, model) -> int:
    with Session(get_engine(app)) as s:
        return s.exec(sa.select(sa.func.count()).select_from(model)).one()[0]


def test_without_redis_a_job_runs_in_process(app, git_repo):
    job = enqueue_harvest(app, source=str(git_repo({"README.md": README.format(n=1)})), operator=True)
    assert job.status == "finished" and job.result["outcome"] == "created"
    assert _count(app, Entry) == 1 and get_job(app, job.id) is None


def test_healthz_checks_redis(app, client):
    assert client.get("/healthz").get_json() == {"status": "ok", "checks": {"database": "ok"}}
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    resp = client.get("/healthz")
    assert resp.status_code == 503 and resp.get_json()["checks"]["redis"].startswith("error")


def test_worker_command_needs_redis(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REGISTRY_REDIS_URL" in result.output


def _worker_env(app) -> dict[str, str]:
    return {**os.environ, "REGISTRY_DATABASE_URL": app.config["DATABASE_URL"], "REGISTRY_REDIS_URL": REDIS_URL,
            "REGISTRY_QUEUE_NAME": app.config["QUEUE_NAME"], "REGISTRY_SECRET_KEY": "test-secret",
            "REGISTRY_INSTANCE_PATH": app.instance_path}


def test_queued_job_is_done_by_a_worker_and_reports_its_state(redis_app, git_repo):
    job = enqueue_harvest(redis_app, source=str(git_repo({"README.md": README.format(n=2)})), operator=True)
    assert job.status == "queued" and _count(redis_app, Entry) == 0
    flask = Path(sys.executable).with_name("flask")
    subprocess.run([str(flask), "--app", "registry", "worker", "--burst"], env=_worker_env(redis_app), check=True,
                   capture_output=True, timeout=120)
    done = get_job(redis_app, job.id)
    assert done.status == "finished" and done.result["outcome"] == "created" and _count(redis_app, Entry) == 1


def test_four_workers_harvest_two_hundred_sources_exactly_once(redis_app, git_repo):
    paths = [git_repo({"README.md": README.format(n=n)}, name=f"queue-lab/sample-{n:03d}") for n in range(200)]
    jobs = [enqueue_harvest(redis_app, source=str(p), operator=True) for p in paths]
    flask = Path(sys.executable).with_name("flask")
    workers = [subprocess.Popen([str(flask), "--app", "registry", "worker", "--burst"], env=_worker_env(redis_app),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(4)]
    for w in workers:
        _out, err = w.communicate(timeout=600)
        assert w.returncode == 0, err.decode()[-2000:]
    states = [get_job(redis_app, j.id) for j in jobs]
    assert {s.status for s in states} == {"finished"}
    with Session(get_engine(redis_app)) as s:
        slugs = s.exec(select(Entry.slug)).all()
        runs = s.exec(select(HarvestRun.source_id, HarvestRun.outcome)).all()
    assert len(slugs) == len(set(slugs)) == 200
    assert _count(redis_app, Source) == 200
    assert sorted(r[0] for r in runs) == sorted(set(r[0] for r in runs)) and len(runs) == 200
    assert {r[1] for r in runs} == {"created"}
