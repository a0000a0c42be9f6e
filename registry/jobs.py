"""Jobs: harvests, and a submission's preview and registration.

On the embedded default a harvest runs in this process. With REGISTRY_REDIS_URL set, jobs go
to a Redis queue (RQ) and any number of `worker` processes, on any machine, run them; a
`scheduler` process (or cron running `reharvest --due`) queues the sources that are due.
"""
from __future__ import annotations

import hashlib
import os
import re
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, has_request_context, url_for

DEFAULT_QUEUE = "registry-harvest"
# Retries with growing pauses: a remote that is briefly down gets a few chances.
RETRY_INTERVALS = [15, 60, 300]
KEEP_RESULTS = 7 * 86400
KEEP_FAILURES = 30 * 86400
# A preview only matters while its person looks at it.
KEEP_PREVIEWS = 86400
#: What a person is told: waiting for a worker, being worked on, finished, or failed with the reason.
JOB_STATES = ("queued", "running", "done", "failed")
_RQ_STATES = {"started": "running", "finished": "done", "failed": "failed", "stopped": "failed",
              "canceled": "failed"}  # created, queued, deferred, scheduled (a retry's pause)…: queued
_JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


@dataclass
class JobRef:
    """A job as callers see it: where it stands and, when done, what it did."""

    id: str
    status: str  # queued | running | done | failed
    kind: str = "harvest"  # harvest | preview | submission
    result: dict[str, Any] | None = None
    error: str | None = None
    #: The person whose submission this is: only they may follow it. None for harvests.
    owner_id: int | None = None
    source: str | None = None
    enqueued_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.status in ("queued", "running")

    def public(self):
        """Return the API's shape of this job (schemas.JobPublic)."""
        from .schemas import JobPublic

        result = self.result or {}
        harvest = self.kind != "preview" and self.status in ("done", "failed")
        slug = result.get("slug") if harvest else None
        entry = slug if isinstance(slug, str) and re.fullmatch(r"[^/\s]+/[^/\s]+", slug) else None
        return JobPublic(id=self.id, kind=self.kind, status=self.status, url=_api_url("api.job", job_id=self.id),
                         outcome=result.get("outcome") if harvest else None, slug=slug,
                         entry_url=_api_url("api.entry", namespace=entry.split("/")[0],
                                            name=entry.split("/")[1]) if entry else None,
                         changes=list(result.get("changes") or []) if harvest else [], error=self.error,
                         enqueued_at=self.enqueued_at, started_at=self.started_at, ended_at=self.ended_at)


def _api_url(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, **values)
    # Outside a request (the CLI) the API's own paths, relative to the site.
    if endpoint == "api.job":
        return f"/api/v1/jobs/{values['job_id']}"
    return f"/api/v1/entries/{values['namespace']}/{values['name']}"


def queue_enabled(app: Flask) -> bool:
    """Tell whether jobs go to a Redis queue rather than running in this process."""
    return bool(app.config.get("REDIS_URL"))


def redis_connection(app: Flask):
    """Return a Redis client for the configured URL (one per app)."""
    import redis

    conn = app.extensions.get("registry_redis")
    if conn is None:
        conn = redis.Redis.from_url(app.config["REDIS_URL"])
        app.extensions["registry_redis"] = conn
    return conn


def queue_name(app: Flask) -> str:
    return app.config.get("QUEUE_NAME") or DEFAULT_QUEUE


def _queue(app: Flask):
    from rq import Queue

    return Queue(queue_name(app), connection=redis_connection(app))


def source_identity(source: str) -> str:
    """Return the identity a harvest gives a source (absolute path, canonical URL); the text itself if it has none."""
    from .errors import RegistryError
    from .services.harvesting import normalize_source

    try:
        return normalize_source(source)
    except RegistryError:
        return source


def _latest_key(app: Flask, source: str) -> str:
    # Per queue, so registries (and test runs) sharing one Redis never see each other's jobs.
    return f"registry:{queue_name(app)}:latest-job:" + hashlib.sha256(source.encode()).hexdigest()


def _lock_key(source: str) -> str:
    return "registry:harvest-lock:" + hashlib.sha256(source.encode()).hexdigest()


def result_json(result) -> dict[str, Any]:
    """Return a HarvestResult as the JSON a job keeps."""
    return {"source": result.source, "outcome": result.outcome.value, "slug": result.slug,
            "changes": list(result.changes), "warnings": list(result.warnings), "error": result.error}


def _enqueue(app: Flask, func: Callable, *args, kind: str, source: str | None = None, owner_id: int | None = None,
             retry: bool = True, keep: int = KEEP_RESULTS, description: str = "") -> JobRef:
    from rq import Retry

    job = _queue(app).enqueue(func, *args, retry=Retry(max=3, interval=RETRY_INTERVALS) if retry else None,
                              job_timeout=int(app.config["HARVEST_TIMEOUT"]) * 3, result_ttl=keep,
                              failure_ttl=KEEP_FAILURES, description=description or f"{kind} {source}",
                              meta={"kind": kind, "owner": owner_id, "source": source})
    if source and kind != "preview":
        # The source page shows its latest harvest job (a preview writes nothing, so it is not one).
        redis_connection(app).set(_latest_key(app, source), job.id, ex=KEEP_FAILURES)
    return JobRef(id=job.id, status="queued", kind=kind, owner_id=owner_id, source=source,
                  enqueued_at=job.enqueued_at)


def enqueue_harvest(app: Flask, *, source: str, kind: str | None = "git", operator: bool = False,
                    collection: str | None = None) -> JobRef:
    """Harvest a source now (no Redis) or queue it for a worker (Redis); return the job.

    A harvest of the same source still waiting in the queue is that job: it has not started,
    so it will read the source as it is now anyway.
    """
    if not queue_enabled(app):
        result = _harvest(app, source=source, kind=kind, operator=operator, collection=collection)
        status = "failed" if result.outcome.value == "failed" else "done"
        return JobRef(id=f"inline-{uuid.uuid4().hex[:12]}", status=status, result=result_json(result),
                      error=result.error, source=source)
    identity = source_identity(source)
    waiting = latest_job(app, source=identity)
    if waiting is not None and waiting.kind == "harvest" and waiting.status == "queued":
        return waiting
    return _enqueue(app, run_harvest_job, identity, kind, operator, collection, kind="harvest", source=identity,
                    description=f"harvest {kind or 'any'} {identity}")


def enqueue_submission_job(app: Flask, *, kind: str, url: str, owner_id: int) -> JobRef:
    """Queue a submission's preview (``kind="preview"``) or its registration (``"submission"``) for a worker."""
    if kind == "preview":
        # Someone is waiting on the page: no retries, and the result is kept only a day.
        return _enqueue(app, run_preview_job, url, owner_id, kind="preview", source=url, owner_id=owner_id,
                        retry=False, keep=KEEP_PREVIEWS)
    return _enqueue(app, run_submission_job, url, owner_id, kind="submission", source=url, owner_id=owner_id)


def _plain_failure(job, rq_status: str) -> str:
    # The exception's text may name servers or paths: people get plain words and the class name,
    # the operator's worker log has the rest.
    if rq_status in ("stopped", "canceled"):
        return "The job was stopped before it finished."
    result = job.latest_result()
    last = (result.exc_string or "").strip().splitlines()[-1] if result and result.exc_string else ""
    name = last.split(":", 1)[0].rsplit(".", 1)[-1].strip()
    if name == "JobTimeoutException":
        return "The job took longer than its time limit and was stopped."
    if name == "LockError" or name == "LockNotOwnedError":
        return "Another harvest of this source was still running; this one was not started."
    if "abandoned" in last.lower() or "work-horse" in last.lower() or "moved to" in last.lower():
        return "The worker stopped before it finished the job."
    return f"The job stopped with an unexpected error ({name or 'unknown'}); the worker's log has the details."


def _ref(app: Flask, job) -> JobRef | None:
    if job is None or job.origin != queue_name(app):
        return None
    rq_status = job.get_status(refresh=False)
    rq_status = getattr(rq_status, "value", rq_status)
    status = _RQ_STATES.get(rq_status, "queued")
    meta = job.meta or {}
    result, error = None, None
    if status == "done":
        result = job.return_value()
        if isinstance(result, dict) and result.get("outcome") == "failed":
            status, error = "failed", result.get("error") or "The harvest failed."
    elif status == "failed":
        error = _plain_failure(job, rq_status)
    return JobRef(id=job.id, status=status, kind=meta.get("kind", "harvest"), result=result, error=error,
                  owner_id=meta.get("owner"), source=meta.get("source"), enqueued_at=job.enqueued_at,
                  started_at=job.started_at, ended_at=job.ended_at)


def get_job(app: Flask, job_id: str) -> JobRef | None:
    """Return a queued job's state, or None when it is unknown (or jobs run in-process)."""
    if not queue_enabled(app) or not isinstance(job_id, str) or not _JOB_ID.fullmatch(job_id):
        return None
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=redis_connection(app))
    except NoSuchJobError:
        return None
    return _ref(app, job)


def latest_jobs(app: Flask, sources: Iterable[str]) -> dict[str, JobRef]:
    """Return the latest harvest job of each source that has one (sources by their identity)."""
    sources = list(dict.fromkeys(sources))
    if not queue_enabled(app) or not sources:
        return {}
    from rq.job import Job

    conn = redis_connection(app)
    ids = conn.mget([_latest_key(app, s) for s in sources])
    known = [(s, i.decode()) for s, i in zip(sources, ids) if i]
    jobs = Job.fetch_many([i for _s, i in known], connection=conn) if known else []
    found = {}
    for (source, _id), job in zip(known, jobs):
        ref = _ref(app, job)
        if ref is not None:
            found[source] = ref
    return found


def latest_job(app: Flask, *, source: str) -> JobRef | None:
    """Return a source's latest harvest job, or None."""
    return latest_jobs(app, [source]).get(source)


def wait_for_jobs(app: Flask, job_ids: list[str], *, poll: float = 1.0,
                  progress: Callable[[JobRef], None] | None = None, timeout: float | None = None) -> list[JobRef]:
    """Wait until every job is done or failed (or gone); return their final states in the order given."""
    final: dict[str, JobRef] = {}
    deadline = None if timeout is None else time.monotonic() + timeout
    while len(final) < len(job_ids):
        for job_id in job_ids:
            if job_id in final:
                continue
            ref = get_job(app, job_id) or JobRef(id=job_id, status="failed",
                                                 error="The job is no longer known to the queue.")
            if not ref.pending:
                final[job_id] = ref
                if progress:
                    progress(ref)
        if len(final) < len(job_ids):
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{len(job_ids) - len(final)} jobs were still queued or running")
            time.sleep(poll)
    return [final[j] for j in job_ids]


def enqueue_due(app: Flask, *, include_all: bool = False) -> tuple[list[JobRef], list[JobRef]]:
    """Queue a harvest of every due source (or all); return (queued, still pending from before).

    A source whose last job is still queued or running is left alone, so a scheduler tick or a
    cron run that comes before the workers have caught up does not pile up duplicates.
    """
    from .services.reharvest import due_pairs

    pairs = due_pairs(app, include_all=include_all)
    latest = latest_jobs(app, [url for url, _kind in pairs])
    queued, pending = [], []
    for url, kind in pairs:
        current = latest.get(url)
        if current is not None and current.pending:
            pending.append(current)
            continue
        queued.append(_enqueue(app, run_harvest_job, url, kind, True, None, kind="harvest", source=url,
                               description=f"reharvest {kind} {url}"))
    return queued, pending


def run_scheduler(app: Flask, *, interval: float, ticks: int | None = None,
                  report: Callable[[list[JobRef], list[JobRef]], None] | None = None,
                  on_error: Callable[[Exception], None] | None = None) -> int:
    """Queue the due sources every ``interval`` seconds until stopped (SIGTERM, SIGINT) or ``ticks`` ran out."""
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_args: stop.set())
    done = 0
    while not stop.is_set():
        try:
            queued, pending = enqueue_due(app)
        except Exception as err:  # noqa: BLE001 — a database or Redis outage must not end the scheduler
            if on_error:
                on_error(err)
        else:
            if report:
                report(queued, pending)
        done += 1
        if ticks is not None and done >= ticks:
            break
        stop.wait(interval)
    return done


# --- what a worker runs ----------------------------------------------------------------

_worker_app: Flask | None = None


def _app() -> Flask:
    # A worker builds the app once from its environment (REGISTRY_* variables) and reuses it.
    global _worker_app
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    return _worker_app


def _harvest(app: Flask, *, source: str, kind: str | None, operator: bool, collection: str | None = None):
    from .services.collection_sync import sync_list_as_harvest
    from .services.harvesting import harvest_options, harvest_source

    options = harvest_options(app, operator=operator)
    if kind != "list":
        return harvest_source(app, source=source, kind=kind, options=options)
    return sync_list_as_harvest(app, source=source, options=options, collection=collection)


def _source_lock(app: Flask, source: str):
    timeout = int(app.config["HARVEST_TIMEOUT"]) * 2
    return redis_connection(app).lock(_lock_key(source), timeout=timeout, blocking_timeout=timeout)


def run_harvest_job(source: str, kind: str | None, operator: bool, collection: str | None = None) -> dict[str, Any]:
    """Harvest one source inside a worker, holding a per-source lock so no two workers race on it."""
    app = _app()
    with _source_lock(app, source_identity(source)):
        with app.app_context():
            result = _harvest(app, source=source, kind=kind, operator=operator, collection=collection)
    return result_json(result)


def run_preview_job(url: str, owner_id: int) -> dict[str, Any]:
    """Harvest a submitted address without writing anything; the preview, or why it failed."""
    from .services.submissions import preview_for_job

    app = _app()
    with app.app_context():
        return preview_for_job(app, url=url, owner_id=owner_id)


def run_submission_job(url: str, owner_id: int) -> dict[str, Any]:
    """Register a submitted address for its person, under the source's lock."""
    from .services.submissions import register_for_job

    app = _app()
    with _source_lock(app, url):
        with app.app_context():
            return register_for_job(app, url=url, owner_id=owner_id)


def run_worker(app: Flask, *, burst: bool) -> None:
    """Run an RQ worker on the queue in this process (any number of them, on any machine)."""
    from rq import SimpleWorker

    global _worker_app
    _worker_app = app
    # SimpleWorker runs jobs in this process: the app, its engine pool and Redis client are
    # built once rather than after a fork for every job.
    worker = SimpleWorker([_queue(app)], connection=redis_connection(app),
                          name=f"registry-{os.uname().nodename}-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    # with_scheduler: RQ's own scheduler puts retried jobs back on the queue after their pause.
    worker.work(burst=burst, with_scheduler=True)
