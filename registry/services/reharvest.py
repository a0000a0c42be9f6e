"""Harvesting many sources: the operator's batch harvests and the scheduled re-harvest (cron).

Each source has a schedule (``schedule_hours``); a harvest sets when it is next due, and a
failing source waits longer after each failure. Several sources are harvested at once: the
clones and parsing in worker processes, the checks and the writes on threads here.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context

from flask import Flask
from sqlalchemy import or_
from sqlmodel import Session, select

from harvesters import HarvestedRecord, HarvestError, HarvestOptions, Outcome, run_harvest

from ..models import Source, utcnow
from .harvesting import HarvestResult, harvest_source

Progress = Callable[[HarvestResult], None]


def due_sources(session: Session, *, include_all: bool = False) -> list[Source]:
    """Return the sources to re-harvest: those due now (or never harvested), or all of them."""
    query = select(Source).order_by(Source.next_due_at.is_not(None), Source.next_due_at, Source.id)
    if not include_all:
        query = query.where(or_(Source.next_due_at.is_(None), Source.next_due_at <= utcnow()))
    return list(session.exec(query))


def harvest_many(app: Flask, *, sources: Iterable[tuple[str, str | None]], options: HarvestOptions, jobs: int = 1,
                 progress: Progress | None = None) -> list[HarvestResult]:
    """Harvest (source, kind) pairs, ``jobs`` at a time; results in the order given.

    With more than one job, each source's clone and parsing run in a worker process (parsing is
    Python work: threads alone would take turns on one core); the registry is written here.
    """
    pairs = list(sources)
    # Threads cannot see the caller's context: give them the application itself, not current_app's proxy.
    app = app._get_current_object() if hasattr(app, "_get_current_object") else app
    workers = _Workers(jobs) if jobs > 1 and len(pairs) > 1 else None

    def one(pair: tuple[str, str | None]) -> HarvestResult:
        source, kind = pair
        # Each thread needs the application context the services (search indexing) rely on.
        with app.app_context():
            if kind == "list":
                result = _sync_list(app, source=source, options=options)
            elif workers is not None:
                result = harvest_source(app, source=source, kind=kind, options=options, fetch=workers.fetch)
            else:
                result = harvest_source(app, source=source, kind=kind, options=options)
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


class _Workers:
    """A pool of harvester processes, started on first use (a re-harvest of unchanged sources needs none)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def pool(self) -> ProcessPoolExecutor:
        """Return the worker pool, starting it on first use."""
        with self._lock:
            if self._pool is None:
                # forkserver: workers start from a clean process, not a fork of this threaded one.
                # That server imports the harvesters and loads what they need (language model,
                # licence texts; harvesters.worker) once, and the workers are forked from it.
                # It also imports the program's main module, which each worker would otherwise
                # import itself.
                context = get_context("forkserver")
                context.set_forkserver_preload(["__main__", "harvesters.worker"])
                self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context)
            return self._pool

    def fetch(self, kind: str, source: str, options: HarvestOptions) -> HarvestedRecord:
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


def due_pairs(app: Flask, *, include_all: bool = False) -> list[tuple[str, str]]:
    """Return (url, kind) of the sources to re-harvest."""
    with Session(app.extensions["registry_engine"]) as session:
        return [(src.url, src.kind) for src in due_sources(session, include_all=include_all)]


def reharvest(app: Flask, *, include_all: bool = False, options: HarvestOptions, jobs: int = 1,
              progress: Progress | None = None) -> list[HarvestResult]:
    """Re-harvest the due sources (or all); an unchanged remote is skipped by its commit or ETag."""
    return harvest_many(app, sources=due_pairs(app, include_all=include_all), options=options, jobs=jobs,
                        progress=progress)


def _sync_list(app: Flask, *, source: str, options: HarvestOptions) -> HarvestResult:
    # Awesome-list sources fill collections; their own service keeps them in step.
    from . import OPERATOR
    from .collection_sync import sync_list
    from ..errors import RegistryError

    try:
        synced = sync_list(app, source=source, actor=OPERATOR, options=options)
    except (RegistryError, HarvestError) as err:
        return HarvestResult(source=source, outcome=Outcome.FAILED, error=getattr(err, "message", str(err)))
    return HarvestResult(source=source, outcome=synced.outcome,
                         slug=synced.collection and f"collection {synced.collection}", changes=synced.changes,
                         warnings=synced.warnings, error=synced.error)
