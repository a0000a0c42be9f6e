"""Harvesting many sources: the operator's batch harvests and the scheduled re-harvest (cron).

Each source has a schedule (``schedule_hours``); a harvest sets when it is next due, and a
failing source waits longer after each failure. A git clone and a page fetch spend most of
their time waiting on git or the network, so sources are harvested on a few threads at once.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from sqlalchemy import or_
from sqlmodel import Session, select

from harvesters import HarvestError, HarvestOptions, Outcome

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
    """Harvest (source, kind) pairs on up to ``jobs`` threads; results in the order given."""
    pairs = list(sources)
    # Threads cannot see the caller's context: give them the application itself, not current_app's proxy.
    app = app._get_current_object() if hasattr(app, "_get_current_object") else app

    def one(pair: tuple[str, str | None]) -> HarvestResult:
        source, kind = pair
        # Each thread needs the application context the services (search indexing) rely on.
        with app.app_context():
            if kind == "list":
                result = _sync_list(app, source=source, options=options)
            else:
                result = harvest_source(app, source=source, kind=kind, options=options)
        if progress:
            progress(result)
        return result

    if jobs <= 1 or len(pairs) <= 1:
        return [one(pair) for pair in pairs]
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="harvest") as pool:
        return list(pool.map(one, pairs))


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
