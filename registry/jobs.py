"""Harvest jobs: in-process on the embedded default, on a Redis queue (RQ) when REGISTRY_REDIS_URL is set."""
from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from typing import Any

from flask import Flask

DEFAULT_QUEUE = "registry-harvest"
# Retries with growing pauses: a remote that is briefly down gets a few chances.
RETRY_INTERVALS = [15, 60, 300]


@dataclass
class JobRef:
    """A harvest job as callers see it: where it stands and, when done, what it did."""

    id: str
    status: str  # queued | started | finished | failed
    result: dict[str, Any] | None = None
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "result": self.result, "error": self.error}


def queue_enabled(app: Flask) -> bool:
    """Tell whether harvests go to a Redis queue rather than running in this process."""
    return bool(app.config.get("REDIS_URL"))


def redis_connection(app: Flask):
    """Return a Redis client for the configured URL (one per app)."""
    import redis

    conn = app.extensions.get("registry_redis")
    if conn is None:
        conn = redis.Redis.from_url(app.config["REDIS_URL"])
        app.extensions["registry_redis"] = conn
    return conn


def _queue(app: Flask):
    from rq import Queue

    return Queue(app.config.get("QUEUE_NAME") or DEFAULT_QUEUE, connection=redis_connection(app))


def _result_json(result) -> dict[str, Any]:
    return {"source": result.source, "outcome": result.outcome.value, "slug": result.slug,
            "changes": list(result.changes), "warnings": list(result.warnings), "error": result.error}


def enqueue_harvest(app: Flask, *, source: str, kind: str = "git", operator: bool = False) -> JobRef:
    """Harvest a source now (no Redis) or queue it for a worker (Redis); return the job."""
    if not queue_enabled(app):
        from .services.harvesting import harvest_options, harvest_source

        result = harvest_source(app, source=source, kind=kind, options=harvest_options(app, operator=operator))
        status = "failed" if result.outcome.value == "failed" else "finished"
        return JobRef(id=f"inline-{uuid.uuid4().hex[:12]}", status=status, result=_result_json(result),
                      error=result.error)
    from rq import Retry

    job = _queue(app).enqueue(run_harvest_job, source, kind, operator, retry=Retry(max=3, interval=RETRY_INTERVALS),
                              job_timeout=int(app.config["HARVEST_TIMEOUT"]) * 3, result_ttl=7 * 86400,
                              failure_ttl=30 * 86400, description=f"harvest {kind} {source}")
    return JobRef(id=job.id, status="queued")


def get_job(app: Flask, job_id: str) -> JobRef | None:
    """Return a queued job's state, or None when it is unknown (or jobs run in-process)."""
    if not queue_enabled(app):
        return None
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=redis_connection(app))
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=True)
    status = getattr(status, "value", status)
    error = None
    if status == "failed":
        result = job.latest_result()
        error = (result.exc_string or "").strip().splitlines()[-1] if result and result.exc_string else "failed"
    return JobRef(id=job.id, status={"deferred": "queued", "scheduled": "queued"}.get(status, status),
                  result=job.return_value() if status == "finished" else None, error=error)


# --- what a worker runs ----------------------------------------------------------------

_worker_app: Flask | None = None


def _app() -> Flask:
    # A worker builds the app once from its environment (REGISTRY_* variables) and reuses it.
    global _worker_app
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    return _worker_app


def run_harvest_job(source: str, kind: str, operator: bool) -> dict[str, Any]:
    """Harvest one source inside a worker, holding a per-source lock so no two workers race on it."""
    from .services.harvesting import harvest_options, harvest_source

    app = _app()
    key = "registry:harvest-lock:" + hashlib.sha256(f"{kind}:{source}".encode()).hexdigest()
    timeout = int(app.config["HARVEST_TIMEOUT"]) * 2
    with redis_connection(app).lock(key, timeout=timeout, blocking_timeout=timeout):
        with app.app_context():
            result = harvest_source(app, source=source, kind=kind, options=harvest_options(app, operator=operator))
    return _result_json(result)


def run_worker(app: Flask, *, burst: bool) -> None:
    """Run an RQ worker on the harvest queue in this process (any number of them, on any machine)."""
    from rq import SimpleWorker

    global _worker_app
    _worker_app = app
    # SimpleWorker runs jobs in this process: the app, its engine pool and Redis client are
    # built once rather than after a fork for every job.
    worker = SimpleWorker([_queue(app)], connection=redis_connection(app),
                          name=f"registry-{os.uname().nodename}-{os.getpid()}")
    worker.work(burst=burst, with_scheduler=True)
