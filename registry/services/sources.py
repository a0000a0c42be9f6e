"""Sources: which are due, harvests asked for (now or on the queue), and sources and runs as the API shows them."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from harvesters import HarvestOptions

from ..db import Sessions
from ..errors import NotFound
from ..jobs.queue import JobRef, latest_job, latest_jobs, queue_enabled, submit
from ..models import Discovery, Entry, HarvestRun, Source, SourceHook, utcnow
from ..schemas import DiscoveredBy, HarvestOutcome, RunPublic, SourcePublic
from . import Actor
from .addresses import normalize_source, source_identity
from .collection_sync import ListSyncResult
from .entries import visible_message, visible_source_url
from .permissions import can_edit, require, require_signed_in
from .pipeline import run_source
from .runs import run_public


def _visible_sources():
    # A source whose entry is hidden or deleted is not shown; one not yet linked to an entry is.
    hidden = select(Entry.id).where((col(Entry.hidden) == True) | col(Entry.deleted_at).is_not(None))  # noqa: E712
    return col(Source.entry_id).is_(None) | col(Source.entry_id).not_in(hidden)


def _public(
    session: Session,
    src: Source,
    actor: Actor | None,
    slugs: dict[int | None, str],
    hooks: set[int],
    jobs: dict[str, JobRef],
    finders: dict[int, DiscoveredBy],
) -> SourcePublic:
    job = jobs.get(src.url)
    assert src.id is not None  # read from the database, so it has its id
    return SourcePublic(
        id=src.id,
        kind=src.kind,
        url=visible_source_url(src.url, actor),
        entry=slugs.get(src.entry_id),
        schedule_hours=src.schedule_hours,
        last_commit=src.last_commit,
        consecutive_failures=src.consecutive_failures,
        last_error=visible_message(src.last_error, src.url, actor),
        last_harvested_at=src.last_harvested_at,
        next_due_at=src.next_due_at,
        has_webhook_secret=src.id in hooks,
        job=job.public() if job else None,
        discovered_by=finders.get(src.discovered_by_id) if src.discovered_by_id else None,
        gone_at=src.gone_at,
    )


def _publics(session: Session, rows: list[Source], actor: Actor | None) -> list[SourcePublic]:
    entry_ids = [s.entry_id for s in rows if s.entry_id]
    slugs = (
        dict(session.exec(select(Entry.id, Entry.slug).where(col(Entry.id).in_(entry_ids))).all()) if entry_ids else {}
    )
    ids = [s.id for s in rows]
    hooks = (
        set(session.exec(select(SourceHook.source_id).where(col(SourceHook.source_id).in_(ids))).all())
        if ids
        else set()
    )
    # With a queue, each source's latest harvest job (one round trip to Redis for the page).
    jobs = latest_jobs([s.url for s in rows])
    found_by = {s.discovered_by_id for s in rows if s.discovered_by_id}
    finders = (
        {
            d.id: DiscoveredBy(id=d.id, kind=d.kind, target=d.target)
            for d in session.exec(select(Discovery).where(col(Discovery.id).in_(found_by)))
            if d.id is not None
        }
        if found_by
        else {}
    )
    return [_public(session, s, actor, slugs, hooks, jobs, finders) for s in rows]


def list_sources(session: Session, *, actor: Actor | None, page: int, per_page: int) -> tuple[list[SourcePublic], int]:
    """Return one page of sources, oldest first, and how many there are."""
    total = session.exec(select(func.count()).select_from(Source).where(_visible_sources())).one()
    rows = session.exec(
        select(Source).where(_visible_sources()).order_by(col(Source.id)).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return _publics(session, list(rows), actor), total


def _find(session: Session, source_id: int) -> Source:
    src = session.exec(select(Source).where(col(Source.id) == source_id, _visible_sources())).first()
    if src is None:
        raise NotFound(f"No source {source_id}.", details={"source_id": source_id})
    return src


def get_source(session: Session, *, source_id: int, actor: Actor | None) -> SourcePublic:
    """Return one source (with its latest harvest job when harvests are queued)."""
    return _publics(session, [_find(session, source_id)], actor)[0]


def list_source_runs(
    session: Session, *, source_id: int, page: int, per_page: int, actor: Actor | None = None
) -> tuple[list[RunPublic], int]:
    """Return one page of a source's harvest runs, newest first (server paths shown to admins only)."""
    src = _find(session, source_id)
    total = session.exec(select(func.count()).select_from(HarvestRun).where(col(HarvestRun.source_id) == src.id)).one()
    rows = session.exec(
        select(HarvestRun)
        .where(col(HarvestRun.source_id) == src.id)
        .order_by(col(HarvestRun.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [run_public(r, src.url, actor) for r in rows], total


def request_reharvest(session: Session, *, source_id: int, actor: Actor | None) -> HarvestOutcome:
    """Re-harvest a source (now, or on the queue), for its entry's maintainers and staff."""
    actor = require_signed_in(actor)
    src = _find(session, source_id)
    entry = session.get(Entry, src.entry_id) if src.entry_id else None
    require(
        entry is not None and can_edit(session, actor, entry),
        "Only the entry's maintainers and moderators ask for a re-harvest.",
    )
    return harvest_known_source(source=src)


def harvest_known_source(*, source: Source) -> HarvestOutcome:
    """Harvest a known source now, or queue it when Redis is configured; say which.

    Its address is the one stored when it was registered, so it is harvested with the
    operator's options, as the scheduled re-harvest does.
    """
    job = request_harvest(source=source.url, kind=source.kind, operator=True)
    if job.result is None:
        return HarvestOutcome(outcome="queued", job_id=job.id)
    result = job.result
    return HarvestOutcome(
        outcome=result["outcome"],
        slug=result.get("slug"),
        changes=list(result.get("changes") or []),
        warnings=list(result.get("warnings") or []),
        error=result.get("error"),
    )


_HARVEST_TASK = "registry.jobs.tasks.harvest"


def request_harvest(
    *, source: str, kind: str | None = "git", operator: bool = False, collection: str | None = None
) -> JobRef:
    """Harvest a source now (no Redis) or queue it for a worker (Redis); return the job.

    A harvest of the same source still waiting in the queue is that job: it has not started,
    so it will read the source as it is now anyway.
    """
    if not queue_enabled():
        return submit(_HARVEST_TASK, source, kind, operator, collection, kind="harvest", source=source)
    identity = source_identity(source)
    waiting = latest_job(source=identity)
    if waiting is not None and waiting.kind == "harvest" and waiting.status == "queued":
        return waiting
    return submit(
        _HARVEST_TASK,
        identity,
        kind,
        operator,
        collection,
        kind="harvest",
        source=identity,
        description=f"harvest {kind or 'any'} {identity}",
    )


def due_sources(session: Session, *, include_all: bool = False) -> list[Source]:
    """Return the sources to re-harvest: those due now (or never harvested), or all of them."""
    query = select(Source).order_by(col(Source.next_due_at).is_not(None), col(Source.next_due_at), col(Source.id))
    if not include_all:
        query = query.where(or_(col(Source.next_due_at).is_(None), col(Source.next_due_at) <= utcnow()))
    return list(session.exec(query))


def due_pairs(session: Session, *, include_all: bool = False) -> list[tuple[str, str]]:
    """Return (url, kind) of the sources to re-harvest."""
    return [(src.url, src.kind) for src in due_sources(session, include_all=include_all)]


def queue_due_sources(session: Session, *, include_all: bool = False) -> tuple[list[JobRef], list[JobRef]]:
    """Queue a harvest of every due source (or all); return (queued, still pending from before).

    A source whose last job is still queued or running is left alone, so a scheduler tick or a
    cron run that comes before the workers have caught up does not pile up duplicates.
    """
    pairs = due_pairs(session, include_all=include_all)
    latest = latest_jobs([url for url, _kind in pairs])
    queued, pending = [], []
    for url, kind in pairs:
        current = latest.get(url)
        if current is not None and current.pending:
            pending.append(current)
            continue
        queued.append(
            submit(
                _HARVEST_TASK, url, kind, True, None, kind="harvest", source=url, description=f"reharvest {kind} {url}"
            )
        )
    return queued, pending


def sync_list(
    sessions: Sessions, *, source: str, actor: Actor | None, options: HarvestOptions, collection: str | None = None
) -> ListSyncResult:
    """Harvest an awesome-list and apply it to its collection (made on first import)."""
    actor = require_signed_in(actor)
    normalize_source(source)  # an address refused before anything is known is an error here, not a run
    result = run_source(sessions, source=source, kind="list", options=options, actor=actor, target=collection)
    if isinstance(result.detail, ListSyncResult):
        return result.detail
    label = result.slug.removeprefix("collection ") if result.slug else None
    return ListSyncResult(source=source, outcome=result.outcome, collection=label, error=result.error)
