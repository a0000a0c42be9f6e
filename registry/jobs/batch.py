"""Batch harvests in this process: the operator's `harvest` and `reharvest` without a queue.

Several sources are harvested at once: the clones and parsing in harvester processes (a
pool started on first use), the checks and the writes on threads here, each through the one
source pipeline.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from flask import Flask

from harvesters import HarvestError, HarvestOptions, Outcome, run_harvest

from ..db import sessions
from ..processes import worker_context
from ..services.pipeline import HarvestResult, run_source_as_operator

Progress = Callable[[HarvestResult], None]


def harvest_many(
    app: Flask,
    *,
    sources: Iterable[tuple[str, str | None]],
    options: HarvestOptions,
    jobs: int = 1,
    target: str | None = None,
    progress: Progress | None = None,
) -> list[HarvestResult]:
    """Harvest (source, kind) pairs of any kind, ``jobs`` at a time; results in the order given.

    ``target`` is where every list among them goes (the CLI's ``--collection``).

    With more than one job, each source's clone and parsing run in a worker process (parsing is
    Python work: threads alone would take turns on one core); the registry is written here.
    """
    pairs = list(sources)
    # Threads cannot see the caller's context: give them the application itself, not current_app's proxy.
    app = app._get_current_object() if hasattr(app, "_get_current_object") else app
    workers = _HarvesterPool(jobs) if jobs > 1 and len(pairs) > 1 else None

    def one(pair: tuple[str, str | None]) -> HarvestResult:
        source, kind = pair
        # Each thread needs the application context the services (search indexing) rely on.
        with app.app_context():
            fetch = workers.fetch if workers is not None else run_harvest
            try:
                result = run_source_as_operator(
                    sessions(app), source=source, kind=kind, options=options, target=target, fetch=fetch
                )
            except Exception as err:  # one source failing never stops the batch
                app.logger.exception("harvesting %s failed", source)
                result = HarvestResult(
                    source=source, outcome=Outcome.FAILED, error=f"the harvest failed ({type(err).__name__})"
                )
        if progress:
            progress(result)
        return result

    if workers is None:
        return [one(pair) for pair in pairs]
    try:
        # Twice as many threads as worker processes: while one thread writes a finished record
        # to the registry, another has already handed the next source to the free worker.
        with ThreadPoolExecutor(max_workers=2 * jobs, thread_name_prefix="harvest") as pool:
            return list(pool.map(one, pairs))
    finally:
        workers.close()


class _HarvesterPool:
    """A pool of harvester processes, started on first use (a re-harvest of unchanged sources needs none)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def pool(self) -> ProcessPoolExecutor:
        """Return the worker pool, starting it on first use."""
        with self._lock:
            if self._pool is None:
                # Workers start from a clean server process, not as forks of this threaded one; that
                # server has loaded what harvests need once (registry/processes.py).
                self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=worker_context())
            return self._pool

    def fetch(self, kind: str, source: str, options: HarvestOptions):
        if kind != "git":
            # Pages wait on the network, not the CPU, and the per-host pause between requests is
            # kept in this process: they are fetched on the calling thread.
            return run_harvest(kind, source, options)
        try:
            return self.pool().submit(run_harvest, kind, source, options).result()
        except BrokenProcessPool:
            raise HarvestError("the harvester process stopped unexpectedly") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
