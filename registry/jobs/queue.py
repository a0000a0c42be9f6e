"""The queue: enqueue a task by its dotted name, follow jobs, and tell people where they stand.

On the embedded default a task runs at once in this process. With REGISTRY_REDIS_URL set, jobs
go to a Redis queue (RQ) and any number of `worker` processes, on any machine, run them. Tasks
are named, as RQ allows, so this module knows no services and no task: registry.jobs.tasks
holds what workers run.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app, has_request_context, url_for
from werkzeug.utils import import_string

DEFAULT_QUEUE = "registry-harvest"
# Retries with growing pauses: a remote that is briefly down gets a few chances.
RETRY_INTERVALS = [15, 60, 300]
KEEP_RESULTS = 7 * 86400
KEEP_FAILURES = 30 * 86400
# A preview only matters while its person looks at it.
KEEP_PREVIEWS = 86400
#: What a person is told: waiting for a worker, being worked on, finished, or failed with the reason.
JOB_STATES = ("queued", "running", "done", "failed")
_RQ_STATES = {
    "started": "running",
    "finished": "done",
    "failed": "failed",
    "stopped": "failed",
    "canceled": "failed",
}  # created, queued, deferred, scheduled (a retry's pause)…: queued
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
        from ..schemas import JobPublic

        result = self.result or {}
        harvest = self.kind != "preview" and self.status in ("done", "failed")
        slug = result.get("slug") if harvest else None
        entry = slug if isinstance(slug, str) and re.fullmatch(r"[^/\s]+/[^/\s]+", slug) else None
        return JobPublic(
            id=self.id,
            kind=self.kind,
            status=self.status,
            url=_api_url("api.job", job_id=self.id),
            outcome=result.get("outcome") if harvest else None,
            slug=slug,
            entry_url=_api_url("api.entry", namespace=entry.split("/")[0], name=entry.split("/")[1]) if entry else None,
            changes=list(result.get("changes") or []) if harvest else [],
            error=self.error,
            enqueued_at=self.enqueued_at,
            started_at=self.started_at,
            ended_at=self.ended_at,
        )


def _api_url(endpoint: str, **values) -> str:
    if has_request_context():
        return url_for(endpoint, **values)
    # Outside a request (the CLI) the API's own paths, relative to the site.
    if endpoint == "api.job":
        return f"/api/v1/jobs/{values['job_id']}"
    return f"/api/v1/entries/{values['namespace']}/{values['name']}"


def queue_enabled(app: Flask | None = None) -> bool:
    """Tell whether jobs go to a Redis queue rather than running in this process."""
    app = app or current_app
    return bool(app.config.get("REDIS_URL"))


def redis_connection(app: Flask | None = None):
    """Return a Redis client for the configured URL (one per app)."""
    import redis

    app = app or current_app
    conn = app.extensions.get("registry_redis")
    if conn is None:
        conn = redis.Redis.from_url(app.config["REDIS_URL"])
        app.extensions["registry_redis"] = conn
    return conn


def queue_name(app: Flask | None = None) -> str:
    """Return the name of this registry's queue (registries sharing one Redis use their own)."""
    app = app or current_app
    return app.config.get("QUEUE_NAME") or DEFAULT_QUEUE


def _queue(app: Flask | None = None):
    from rq import Queue

    app = app or current_app
    return Queue(queue_name(app), connection=redis_connection(app))


def _latest_key(app: Flask, source: str) -> str:
    # Per queue, so registries (and test runs) sharing one Redis never see each other's jobs.
    return f"registry:{queue_name(app)}:latest-job:" + hashlib.sha256(source.encode()).hexdigest()


def _lock_key(source: str) -> str:
    return "registry:harvest-lock:" + hashlib.sha256(source.encode()).hexdigest()


def submit(
    task: str,
    *args,
    kind: str,
    source: str | None = None,
    owner_id: int | None = None,
    retry: bool = True,
    keep: int = KEEP_RESULTS,
    description: str = "",
) -> JobRef:
    """Run the task named ``task`` (a dotted path) now (no Redis), or queue it for a worker; return the job.

    A task returns a JSON-able dict; ``{"outcome": "failed", "error": …}`` makes the job failed.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # (LocalProxy method)
    if not queue_enabled(app):
        result = import_string(task)(*args)
        failed = isinstance(result, dict) and result.get("outcome") == "failed"
        return JobRef(
            id=f"inline-{uuid.uuid4().hex[:12]}",
            status="failed" if failed else "done",
            kind=kind,
            result=result,
            error=result.get("error") if failed else None,
            owner_id=owner_id,
            source=source,
        )
    from rq import Retry

    job = _queue(app).enqueue(
        task,
        *args,
        retry=Retry(max=3, interval=RETRY_INTERVALS) if retry else None,
        job_timeout=int(app.config["HARVEST_TIMEOUT"]) * 3,
        result_ttl=keep,
        failure_ttl=KEEP_FAILURES,
        description=description or f"{kind} {source}",
        meta={"kind": kind, "owner": owner_id, "source": source},
    )
    if source and kind != "preview":
        # The source page shows its latest harvest job (a preview writes nothing, so it is not one).
        redis_connection(app).set(_latest_key(app, source), job.id, ex=KEEP_FAILURES)
    return JobRef(id=job.id, status="queued", kind=kind, owner_id=owner_id, source=source, enqueued_at=job.enqueued_at)


def source_lock(app: Flask, source: str):
    """Return the Redis lock that keeps two workers from harvesting one source at once."""
    timeout = int(app.config["HARVEST_TIMEOUT"]) * 2
    return redis_connection(app).lock(_lock_key(source), timeout=timeout, blocking_timeout=timeout)


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
    return JobRef(
        id=job.id,
        status=status,
        kind=meta.get("kind", "harvest"),
        result=result,
        error=error,
        owner_id=meta.get("owner"),
        source=meta.get("source"),
        enqueued_at=job.enqueued_at,
        started_at=job.started_at,
        ended_at=job.ended_at,
    )


def get_job(job_id: str, app: Flask | None = None) -> JobRef | None:
    """Return a queued job's state, or None when it is unknown (or jobs run in-process)."""
    app = app or current_app
    if not queue_enabled(app) or not isinstance(job_id, str) or not _JOB_ID.fullmatch(job_id):
        return None
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=redis_connection(app))
    except NoSuchJobError:
        return None
    return _ref(app, job)


def latest_jobs(sources: Iterable[str], app: Flask | None = None) -> dict[str, JobRef]:
    """Return the latest harvest job of each source that has one (sources by their identity)."""
    app = app or current_app
    sources = list(dict.fromkeys(sources))
    if not queue_enabled(app) or not sources:
        return {}
    from rq.job import Job

    conn = redis_connection(app)
    ids = conn.mget([_latest_key(app, s) for s in sources])
    known = [(s, i.decode()) for s, i in zip(sources, ids, strict=False) if i]
    jobs = Job.fetch_many([i for _s, i in known], connection=conn) if known else []
    found = {}
    for (source, _id), job in zip(known, jobs, strict=False):
        ref = _ref(app, job)
        if ref is not None:
            found[source] = ref
    return found


def latest_job(*, source: str, app: Flask | None = None) -> JobRef | None:
    """Return a source's latest harvest job, or None."""
    return latest_jobs([source], app).get(source)


def wait_for_jobs(
    job_ids: list[str],
    *,
    app: Flask | None = None,
    poll: float = 1.0,
    progress: Callable[[JobRef], None] | None = None,
    timeout: float | None = None,
) -> list[JobRef]:
    """Wait until every job is done or failed (or gone); return their final states in the order given."""
    final: dict[str, JobRef] = {}
    deadline = None if timeout is None else time.monotonic() + timeout
    while len(final) < len(job_ids):
        for job_id in job_ids:
            if job_id in final:
                continue
            ref = get_job(job_id, app) or JobRef(
                id=job_id, status="failed", error="The job is no longer known to the queue."
            )
            if not ref.pending:
                final[job_id] = ref
                if progress:
                    progress(ref)
        if len(final) < len(job_ids):
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{len(job_ids) - len(final)} jobs were still queued or running")
            time.sleep(poll)
    return [final[j] for j in job_ids]
