"""Jobs: in-process without Redis; on an RQ queue with real workers when Redis is configured.

Every Redis test has a queue of its own (and keys under it), removed afterwards, so runs of
other people on the same Redis server never meet.
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from registry.db import get_engine, sessions, write_session
from registry.jobs import queue
from registry.jobs.tasks import run_worker
from registry.models import Entry, HarvestRun, Source, utcnow
from registry.services.sources import queue_due_sources, request_harvest
from registry.services.tokens import create_token
from registry.services.users import create_user
from tests.conftest import IN_CI


def enqueue_harvest(app, **kwargs):
    """Ask for a harvest as the CLI and the pages do (inside the app's context)."""
    with app.app_context():
        return request_harvest(**kwargs)


def enqueue_due(app):
    """Queue the due sources as one scheduler tick does."""
    with app.app_context(), sessions(app).read() as session:
        return queue_due_sources(session)


def get_job(app, job_id):
    return queue.get_job(job_id, app)


def latest_job(app, *, source):
    return queue.latest_job(source=source, app=app)


REDIS_URL = os.environ.get("REGISTRY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
README = "# Sample {n}\n\nSample model number {n} for the queue test, written for the registry's own tests.\n"


def _clean_queue(app) -> None:
    from rq import Queue
    from rq.job import Job
    from rq.registry import (
        DeferredJobRegistry,
        FailedJobRegistry,
        FinishedJobRegistry,
        ScheduledJobRegistry,
        StartedJobRegistry,
    )

    from registry.jobs.queue import redis_connection

    conn = redis_connection(app)
    queue = Queue(app.config["QUEUE_NAME"], connection=conn)
    for registry in (FinishedJobRegistry, FailedJobRegistry, StartedJobRegistry, DeferredJobRegistry,
                     ScheduledJobRegistry):
        reg = registry(queue.name, connection=conn)
        for job in Job.fetch_many(reg.get_job_ids(), connection=conn):
            if job is not None:
                job.delete()
    queue.delete(delete_jobs=True)
    for key in conn.scan_iter(f"registry:{queue.name}:*"):
        conn.delete(key)


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
    _clean_queue(app)


def _count(app, model) -> int:
    with Session(get_engine(app)) as s:
        return s.exec(sa.select(sa.func.count()).select_from(model)).one()[0]


def test_without_redis_a_job_runs_in_process(app, git_repo):
    job = enqueue_harvest(app, source=str(git_repo({"README.md": README.format(n=1)})), operator=True)
    assert job.status == "done" and job.result["outcome"] == "created"
    assert _count(app, Entry) == 1 and get_job(app, job.id) is None


def test_without_redis_there_are_no_jobs_to_read(client):
    resp = client.get("/api/v1/jobs/0b5e3c1e-0000-4000-8000-000000000000")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"


def test_healthz_checks_redis(app, client):
    assert client.get("/healthz").get_json() == {"status": "ok", "checks": {"database": "ok"}}
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    resp = client.get("/healthz")
    assert resp.status_code == 503 and resp.get_json()["checks"]["redis"].startswith("error")


def test_worker_and_scheduler_commands_need_redis(runner):
    for command in ("worker", "scheduler"):
        result = runner.invoke(args=[command, "--burst" if command == "worker" else "--once"])
        assert result.exit_code != 0 and "REGISTRY_REDIS_URL" in result.output


def _worker_env(app) -> dict[str, str]:
    return {**os.environ, "REGISTRY_DATABASE_URL": app.config["DATABASE_URL"], "REGISTRY_REDIS_URL": REDIS_URL,
            "REGISTRY_QUEUE_NAME": app.config["QUEUE_NAME"], "REGISTRY_SECRET_KEY": "test-secret",
            "REGISTRY_INSTANCE_PATH": app.instance_path}


FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.mark.slow
def test_queued_job_is_done_by_a_worker_and_reports_its_state(redis_app, git_repo):
    job = enqueue_harvest(redis_app, source=str(git_repo({"README.md": README.format(n=2)})), operator=True)
    assert job.status == "queued" and _count(redis_app, Entry) == 0
    assert get_job(redis_app, job.id).status == "queued"
    subprocess.run([FLASK, "--app", "registry", "worker", "--burst"], env=_worker_env(redis_app), check=True,
                   capture_output=True, timeout=120)
    done = get_job(redis_app, job.id)
    assert done.status == "done" and done.result["outcome"] == "created" and _count(redis_app, Entry) == 1
    assert done.enqueued_at <= done.started_at <= done.ended_at


def test_a_failed_harvest_is_a_failed_job_with_the_reason(redis_app, tmp_path):
    folder = tmp_path / "not-a-repository"
    folder.mkdir()
    job = enqueue_harvest(redis_app, source=str(folder), operator=True)
    run_worker(redis_app, burst=True)
    state = get_job(redis_app, job.id)
    assert state.status == "failed" and "not a git repository" in state.error
    assert _count(redis_app, Entry) == 0


def test_a_job_that_crashes_is_failed_in_plain_words(redis_app, monkeypatch):
    # A worker-side crash (here: the database is gone) gives the class name, never the server's details.
    job = enqueue_harvest(redis_app, source="/nowhere/at/all", operator=True)
    from rq import Queue

    from registry.jobs.queue import redis_connection

    rq_job = Queue(redis_app.config["QUEUE_NAME"], connection=redis_connection(redis_app)).fetch_job(job.id)
    rq_job.retries_left = 0
    rq_job.save()
    monkeypatch.setattr("registry.services.pipeline.run_source_as_operator", lambda *a, **k: (_ for _ in ()).throw(
        RuntimeError("password=secret@db.internal refused")))
    run_worker(redis_app, burst=True)
    state = get_job(redis_app, job.id)
    assert state.status == "failed" and "RuntimeError" in state.error and "secret" not in state.error


def test_unknown_and_foreign_job_ids_are_not_found(redis_app, git_repo):
    job = enqueue_harvest(redis_app, source=str(git_repo({"README.md": README.format(n=3)})), operator=True)
    assert get_job(redis_app, str(uuid.uuid4())) is None
    assert get_job(redis_app, "../../etc/passwd") is None
    # Another registry (queue) on the same Redis does not see this one's jobs.
    other_queue = redis_app.config["QUEUE_NAME"]
    redis_app.config["QUEUE_NAME"] = f"test-{uuid.uuid4().hex}"
    try:
        assert get_job(redis_app, job.id) is None
    finally:
        redis_app.config["QUEUE_NAME"] = other_queue


def test_the_latest_job_of_a_source_is_remembered_and_a_waiting_one_reused(redis_app, git_repo):
    repo = git_repo({"README.md": README.format(n=4)})
    first = enqueue_harvest(redis_app, source=str(repo), operator=True)
    again = enqueue_harvest(redis_app, source=str(repo) + "/", operator=True)  # the same folder
    assert again.id == first.id and latest_job(redis_app, source=str(repo)).id == first.id
    run_worker(redis_app, burst=True)
    assert latest_job(redis_app, source=str(repo)).status == "done"
    fresh = enqueue_harvest(redis_app, source=str(repo), operator=True)
    assert fresh.id != first.id and latest_job(redis_app, source=str(repo)).status == "queued"


def test_the_source_page_and_json_show_the_latest_job(redis_app, client, git_repo):
    repo = git_repo({"README.md": README.format(n=5)})
    enqueue_harvest(redis_app, source=str(repo), operator=True, kind="git")
    run_worker(redis_app, burst=True)
    with Session(get_engine(redis_app)) as s:
        source_id = s.exec(select(Source.id)).one()
    job = enqueue_harvest(redis_app, source=str(repo), operator=True)
    data = client.get(f"/api/v1/sources/{source_id}").get_json()
    assert data["job"]["id"] == job.id and data["job"]["status"] == "queued"
    assert data["job"]["url"] == f"/api/v1/jobs/{job.id}"
    listed = client.get("/api/v1/sources").get_json()["items"]
    assert listed[0]["job"]["status"] == "queued"
    page = client.get(f"/sources/{source_id}").get_data(as_text=True)
    assert "Harvest job" in page and 'class="outcome outcome-queued job-queued">queued' in page
    run_worker(redis_app, burst=True)
    data = client.get(f"/api/v1/sources/{source_id}").get_json()
    assert data["job"]["status"] == "done" and data["job"]["outcome"] == "unchanged"
    followed = client.get(data["job"]["url"])
    assert followed.status_code == 200 and followed.get_json()["status"] == "done"
    assert "no-store" in followed.headers["Cache-Control"] and "public" not in followed.headers["Cache-Control"]


def _writer(app, name: str) -> dict[str, str]:
    with write_session(app) as s:
        create_user(s, name=name, email=f"{name}@example.org", password="long enough pw")
        token = create_token(s, user_name=name, scope="write")[0]
    return {"Authorization": f"Bearer {token}"}


def test_api_registration_is_queued_and_followed_by_its_sender_only(redis_app, client, git_repo):
    redis_app.config["HARVEST_ALLOW_LOCAL"] = True
    repo = git_repo({"README.md": README.format(n=6)}, name="queue-lab/api-sample")
    amina, kofi = _writer(redis_app, "amina"), _writer(redis_app, "kofi")
    resp = client.post("/api/v1/entries", json={"source_url": str(repo)}, headers=amina)
    assert resp.status_code == 202, resp.get_json()
    job = resp.get_json()
    assert job["status"] == "queued" and job["kind"] == "submission"
    assert resp.headers["Location"] == job["url"] == f"/api/v1/jobs/{job['id']}"
    assert _count(redis_app, Entry) == 0
    assert client.get(job["url"], headers=amina).get_json()["status"] == "queued"
    assert client.get(job["url"], headers=kofi).status_code == 404
    assert client.get(job["url"]).status_code == 404
    run_worker(redis_app, burst=True)
    done = client.get(job["url"], headers=amina).get_json()
    assert done["status"] == "done" and done["outcome"] == "created" and done["slug"] == "queue-lab/api-sample"
    entry = client.get(done["entry_url"]).get_json()
    assert entry["name"] == "Sample 6"
    # The same address again is refused at once, before anything is queued.
    again = client.post("/api/v1/entries", json={"source_url": str(repo)}, headers=kofi)
    assert again.status_code == 409 and again.get_json()["error"]["details"]["slug"] == "queue-lab/api-sample"


def test_api_registration_that_fails_says_why(redis_app, client, tmp_path):
    redis_app.config["HARVEST_ALLOW_LOCAL"] = True
    folder = tmp_path / "plain-folder"
    folder.mkdir()
    amina = _writer(redis_app, "amina")
    job = client.post("/api/v1/entries", json={"source_url": str(folder)}, headers=amina).get_json()
    run_worker(redis_app, burst=True)
    state = client.get(job["url"], headers=amina).get_json()
    assert state["status"] == "failed" and "not a git repository" in state["error"] and state["entry_url"] is None
    assert _count(redis_app, Entry) == 0


def test_a_reharvest_through_the_api_points_at_its_job(redis_app, client, git_repo):
    repo = git_repo({"README.md": README.format(n=7)})
    enqueue_harvest(redis_app, source=str(repo), operator=True)
    run_worker(redis_app, burst=True)
    with write_session(redis_app) as s:
        source_id = s.exec(select(Source.id)).one()
        create_user(s, name="boss", email="boss@example.org", password="long enough pw", role="moderator")
        token = create_token(s, user_name="boss", scope="write")[0]
    resp = client.post(f"/api/v1/sources/{source_id}/reharvest", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 202
    job = client.get(resp.headers["Location"]).get_json()
    assert job["id"] == resp.get_json()["job_id"] and job["status"] == "queued" and job["kind"] == "harvest"


def _make_due(app) -> None:
    with write_session(app) as s:
        for src in s.exec(select(Source)).all():
            src.next_due_at = utcnow() - timedelta(minutes=1)
            s.add(src)


def test_one_scheduler_tick_queues_the_due_sources_once(redis_app, runner, git_repo):
    repos = [git_repo({"README.md": README.format(n=n)}, name=f"queue-lab/due-{n}") for n in (8, 9)]
    for repo in repos:
        enqueue_harvest(redis_app, source=str(repo), operator=True)
    run_worker(redis_app, burst=True)
    assert enqueue_due(redis_app) == ([], [])  # just harvested: nothing is due
    _make_due(redis_app)
    tick = runner.invoke(args=["scheduler", "--once"])
    assert tick.exit_code == 0, tick.output
    assert "2 due sources queued, 0 still queued or running" in tick.output
    # A second tick before the workers caught up queues nothing twice.
    again = runner.invoke(args=["scheduler", "--once", "--interval", "5"])
    assert "0 due sources queued, 2 still queued or running" in again.output
    run_worker(redis_app, burst=True)
    with Session(get_engine(redis_app)) as s:
        outcomes = sorted(s.exec(select(HarvestRun.outcome)).all())
        due_later = s.exec(select(Source.next_due_at)).all()
    assert outcomes == ["created", "created", "unchanged", "unchanged"]
    assert all(d is not None for d in due_later)
    assert "0 due sources queued, 0 still queued or running" in runner.invoke(args=["scheduler", "--once"]).output


@pytest.mark.stress
def test_four_workers_harvest_two_hundred_sources_exactly_once(redis_app, git_repo):
    paths = [git_repo({"README.md": README.format(n=n)}, name=f"queue-lab/sample-{n:03d}") for n in range(200)]
    jobs = [enqueue_harvest(redis_app, source=str(p), operator=True) for p in paths]
    workers = [subprocess.Popen([FLASK, "--app", "registry", "worker", "--burst"], env=_worker_env(redis_app),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(4)]
    for w in workers:
        _out, err = w.communicate(timeout=600)
        assert w.returncode == 0, err.decode()[-2000:]
    states = [get_job(redis_app, j.id) for j in jobs]
    assert {s.status for s in states} == {"done"}
    with Session(get_engine(redis_app)) as s:
        slugs = s.exec(select(Entry.slug)).all()
        runs = s.exec(select(HarvestRun.source_id, HarvestRun.outcome)).all()
    assert len(slugs) == len(set(slugs)) == 200
    assert _count(redis_app, Source) == 200
    assert sorted(r[0] for r in runs) == sorted(set(r[0] for r in runs)) and len(runs) == 200
    assert {r[1] for r in runs} == {"created"}


def test_with_redis_a_discovery_is_a_job_and_the_workers_harvest_what_it_found(redis_app):
    from harvesters.listers import reset_politeness
    from registry.config import lister_settings
    from registry.services.discoveries import find_or_add_discovery, request_discovery
    from tests.harvesters import fake_apis as fa

    reset_politeness()
    repos = {f"lab/model-{i}": fa.HubRepo(id=f"lab/model-{i}", files={"README.md": fa.CARD}) for i in range(2)}
    fake = fa.huggingface({"lab": [fa.hub_model(i, "lab") for i in range(2)]}, {"lab": []}, repos).start()
    redis_app.config.update(HF_ENDPOINT=fake.base, HARVEST_ALLOW_PRIVATE=True, DISCOVERY_HOST_INTERVAL=0,
                            HARVEST_HOST_INTERVAL=0)
    try:
        with redis_app.app_context():
            with write_session(redis_app) as s:
                discovery_id = find_or_add_discovery(s, kind="huggingface", target="author:lab", set_spec=None,
                                                     settings=lister_settings(redis_app.config))
            job = request_discovery(discovery_id=discovery_id)
            assert job.status == "queued" and request_discovery(discovery_id=discovery_id).id == job.id
        run_worker(redis_app, burst=True)  # the discovery, then the harvests it queued
    finally:
        fake.stop()
    done = queue.get_job(job.id, redis_app)
    assert done.status == "done" and done.result["found"] == 2 and done.result["new"] == 2
    assert _count(redis_app, Entry) == 2


def test_a_scheduler_tick_queues_the_due_discoveries_once(redis_app, runner):
    from registry.config import lister_settings
    from registry.jobs.queue import latest_jobs
    from registry.services.discoveries import find_or_add_discovery

    with write_session(redis_app) as s:
        discovery_id = find_or_add_discovery(s, kind="github", target="org:tick-lab", set_spec=None,
                                             settings=lister_settings(redis_app.config))
    assert runner.invoke(args=["scheduler", "--once"]).exit_code == 0
    assert runner.invoke(args=["scheduler", "--once"]).exit_code == 0  # still queued: not queued twice
    with redis_app.app_context():
        job = latest_jobs([f"discovery:{discovery_id}"])[f"discovery:{discovery_id}"]
    assert job.kind == "discovery" and job.status == "queued"
    from rq import Queue

    from registry.jobs.queue import redis_connection

    assert Queue(redis_app.config["QUEUE_NAME"], connection=redis_connection(redis_app)).count == 1
