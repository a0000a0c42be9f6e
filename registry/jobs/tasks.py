"""What a worker runs: each task builds (once) or borrows the app, then calls one service.

Tasks are enqueued by their dotted names (``registry.jobs.tasks.harvest``); without Redis the
queue calls them at once, inside the caller's app context. Each returns a JSON-able dict.
"""

from __future__ import annotations

import os
import uuid
from contextlib import nullcontext
from typing import Any

from flask import Flask, current_app, has_app_context

from ..config import harvest_options
from ..db import sessions
from .queue import _queue, queue_enabled, redis_connection, source_lock

_worker_app: Flask | None = None


def _app() -> Flask:
    # Inline (no Redis) the caller's app; a worker builds its app once from its environment
    # (REGISTRY_* variables) and reuses it for every job.
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]  # (LocalProxy method)
    if _worker_app is None:
        from .. import create_app

        _worker_app = create_app()
    return _worker_app


def _locked(app: Flask, source: str):
    # Only queued jobs can race: two workers on one source. Inline runs are the caller's own.
    return source_lock(app, source) if queue_enabled(app) else nullcontext()


def harvest(source: str, kind: str | None, operator: bool, collection: str | None = None) -> dict[str, Any]:
    """Harvest one source of any kind, holding a per-source lock so no two workers race on it."""
    from ..services.pipeline import run_source_as_operator

    app = _app()
    with _locked(app, source), app.app_context():
        result = run_source_as_operator(
            sessions(app),
            source=source,
            kind=kind,
            target=collection,
            options=harvest_options(app.config, operator=operator),
        )
    return result.as_json()


def preview_submission(url: str, owner_id: int) -> dict[str, Any]:
    """Harvest a submitted address without writing anything; the preview, or why it failed."""
    from ..services.submissions import preview_for_job

    app = _app()
    with app.app_context():
        return preview_for_job(
            sessions(app), url=url, owner_id=owner_id, options=harvest_options(app.config, operator=False)
        )


def register_submission(url: str, owner_id: int) -> dict[str, Any]:
    """Register a submitted address for its person, under the source's lock."""
    from ..services.submissions import register_for_job

    app = _app()
    with _locked(app, url), app.app_context():
        return register_for_job(
            sessions(app), url=url, owner_id=owner_id, options=harvest_options(app.config, operator=False)
        )


def discover(discovery_id: int, limit: int | None = None) -> dict[str, Any]:
    """Run one discovery (one at a time per discovery); with a queue, its new sources are queued for harvest."""
    from ..config import lister_settings
    from ..services.discovery import run_discovery

    app = _app()
    with _locked(app, f"discovery:{discovery_id}"), app.app_context():
        outcome = run_discovery(
            sessions(app), discovery_id=discovery_id, settings=lister_settings(app.config), limit=limit
        )
        if queue_enabled(app) and outcome.new:
            from ..services.sources import queue_due_sources

            with sessions(app).read() as session:
                queue_due_sources(session)
    return {"outcome": outcome.status, **outcome.as_json()}


def _worker_class():
    from rq import SimpleWorker

    class RegistryWorker(SimpleWorker):
        """SimpleWorker (jobs run in this process) whose command listener stops within a fraction of a second."""

        def subscribe(self) -> None:
            # RQ reads its command channel in 60-second waits, and stopping the worker joins that
            # reader (rq#2172): a burst worker would linger up to a minute after its last job.
            self.pubsub = self.connection.pubsub()
            self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
            thread = self.pubsub.run_in_thread(
                sleep_time=0.2, daemon=True, exception_handler=self._pubsub_exception_handler
            )
            self.pubsub_thread = thread  # type: ignore[assignment]  # rq infers None from its unannotated `= None`

    return RegistryWorker


def run_worker(app: Flask, *, burst: bool) -> None:
    """Run an RQ worker on the queue in this process (any number of them, on any machine)."""
    global _worker_app
    _worker_app = app
    # Jobs run in this process: the app, its engine pool and Redis client are built once rather
    # than after a fork for every job.
    worker = _worker_class()(
        [_queue(app)],
        connection=redis_connection(app),
        name=f"registry-{os.uname().nodename}-{os.getpid()}-{uuid.uuid4().hex[:6]}",
    )
    # with_scheduler: RQ's own scheduler puts retried jobs back on the queue after their pause.
    worker.work(burst=burst, with_scheduler=True)
