"""Discoveries as people see and manage them: add one, list them, their runs and what they found,
a collection's inbox, and which are due (now or on the queue)."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from harvesters.listers import BadTarget, ListerSettings, first_cursor, lister_kinds

from ..errors import Conflict, Invalid, NotFound
from ..jobs.queue import JobRef, latest_jobs, submit
from ..models import Collection, CollectionItem, DiscoveredItem, Discovery, DiscoveryRun, Entry, Source, utcnow
from ..schemas import DiscoveryPublic, DiscoveryRunPublic, FoundItemPublic
from . import Actor
from .permissions import can_curate_collection, is_staff, require, require_signed_in

_TASK = "registry.jobs.tasks.discover"


def _run_public(run: DiscoveryRun) -> DiscoveryRunPublic:
    assert run.id is not None
    return DiscoveryRunPublic(
        id=run.id,
        started_at=run.started_at,
        finished_at=run.finished_at,
        status=run.status,
        found=run.found,
        new=run.new,
        known=run.known,
        gone=run.gone,
        skipped=run.skipped,
        pages=run.pages,
        unchanged_pages=run.unchanged_pages,
        requests=run.requests,
        reason=run.reason,
    )


def _publics(session: Session, rows: list[Discovery]) -> list[DiscoveryPublic]:
    ids = [d.id for d in rows]
    if not ids:
        return []
    counts = dict(
        session.exec(
            select(DiscoveredItem.discovery_id, func.count())
            .where(col(DiscoveredItem.discovery_id).in_(ids), col(DiscoveredItem.gone_at).is_(None))
            .group_by(col(DiscoveredItem.discovery_id))
        ).all()
    )
    gone = dict(
        session.exec(
            select(DiscoveredItem.discovery_id, func.count())
            .where(col(DiscoveredItem.discovery_id).in_(ids), col(DiscoveredItem.gone_at).is_not(None))
            .group_by(col(DiscoveredItem.discovery_id))
        ).all()
    )
    latest_ids = session.exec(
        select(func.max(DiscoveryRun.id))
        .where(col(DiscoveryRun.discovery_id).in_(ids))
        .group_by(col(DiscoveryRun.discovery_id))
    ).all()
    latest = {
        r.discovery_id: r for r in session.exec(select(DiscoveryRun).where(col(DiscoveryRun.id).in_(list(latest_ids))))
    }
    coll_ids = [d.collection_id for d in rows if d.collection_id]
    slugs = (
        dict(session.exec(select(Collection.id, Collection.slug).where(col(Collection.id).in_(coll_ids))).all())
        if coll_ids
        else {}
    )
    out = []
    for d in rows:
        assert d.id is not None
        run = latest.get(d.id)
        out.append(
            DiscoveryPublic(
                id=d.id,
                kind=d.kind,
                target=d.target,
                set=d.set_spec or None,
                collection=slugs.get(d.collection_id),
                schedule_hours=d.schedule_hours,
                resumes=d.cursor is not None,
                last_status=d.last_status,
                last_run_at=d.last_run_at,
                next_due_at=d.next_due_at,
                found=counts.get(d.id, 0),
                gone=gone.get(d.id, 0),
                created_at=d.created_at,
                last_run=_run_public(run) if run is not None else None,
            )
        )
    return out


def list_discoveries(session: Session, *, page: int, per_page: int) -> tuple[list[DiscoveryPublic], int]:
    """Return one page of discoveries, newest first, and how many there are."""
    total = session.exec(select(func.count()).select_from(Discovery)).one()
    rows = session.exec(
        select(Discovery).order_by(col(Discovery.id).desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return _publics(session, list(rows)), total


def _find(session: Session, discovery_id: int) -> Discovery:
    discovery = session.get(Discovery, discovery_id)
    if discovery is None:
        raise NotFound(f"No discovery {discovery_id}.", details={"discovery_id": discovery_id})
    return discovery


def get_discovery(session: Session, *, discovery_id: int) -> DiscoveryPublic:
    """Return one discovery with its latest run."""
    return _publics(session, [_find(session, discovery_id)])[0]


def list_discovery_runs(
    session: Session, *, discovery_id: int, page: int, per_page: int
) -> tuple[list[DiscoveryRunPublic], int]:
    """Return one page of a discovery's runs, newest first."""
    _find(session, discovery_id)
    where = col(DiscoveryRun.discovery_id) == discovery_id
    total = session.exec(select(func.count()).select_from(DiscoveryRun).where(where)).one()
    rows = session.exec(
        select(DiscoveryRun)
        .where(where)
        .order_by(col(DiscoveryRun.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [_run_public(r) for r in rows], total


def list_found_items(
    session: Session, *, discovery_id: int, page: int, per_page: int, review: str | None = None
) -> tuple[list[FoundItemPublic], int]:
    """Return one page of what a discovery found (its inbox with ``review="inbox"``), newest first."""
    _find(session, discovery_id)
    where = [col(DiscoveredItem.discovery_id) == discovery_id]
    if review:
        where.append(col(DiscoveredItem.review) == review)
    total = session.exec(select(func.count()).select_from(DiscoveredItem).where(*where)).one()
    rows = session.exec(
        select(DiscoveredItem)
        .where(*where)
        .order_by(col(DiscoveredItem.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    source_ids = [r.source_id for r in rows if r.source_id]
    entries = (
        dict(
            session.exec(
                select(Source.id, Entry.slug)
                .join(Entry, col(Entry.id) == col(Source.entry_id))
                .where(col(Source.id).in_(source_ids), col(Entry.hidden) == False, col(Entry.deleted_at).is_(None))  # noqa: E712
            ).all()
        )
        if source_ids
        else {}
    )
    return [
        FoundItemPublic(
            id=r.id or 0,
            url=r.url,
            source_id=r.source_id,
            entry=entries.get(r.source_id),
            evidence=dict(r.evidence or {}),
            provenance=dict(r.provenance or {}),
            first_seen_at=r.first_seen_at,
            last_seen_at=r.last_seen_at,
            gone=r.gone_at is not None,
            review=r.review,
        )
        for r in rows
    ], total


def add_discovery(
    session: Session,
    *,
    kind: str,
    target: str,
    actor: Actor | None,
    settings: ListerSettings,
    set_spec: str | None = None,
    collection: str | None = None,
    schedule_hours: int | None = None,
) -> DiscoveryPublic:
    """Add a discovery: site staff for the registry, a collection's curators for its inbox."""
    actor = require_signed_in(actor)
    kind, target, set_spec = (kind or "").strip(), (target or "").strip(), (set_spec or "").strip()
    if kind not in lister_kinds():
        raise Invalid(
            f"Unknown lister kind {kind[:40]!r}; one of {', '.join(lister_kinds())}.",
            details={"fields": {"kind": "unknown"}},
        )
    coll = None
    if collection:
        coll = session.exec(select(Collection).where(col(Collection.slug) == collection.strip())).first()
        if coll is None:
            raise NotFound(f"No collection {collection[:80]!r}.", details={"fields": {"collection": "not found"}})
        require(can_curate_collection(session, actor, coll), "Only the collection's curators point a discovery at it.")
    else:
        require(
            is_staff(actor),
            "Only admins and moderators add discoveries for the whole registry; curators name their collection.",
        )
    if not target or len(target) > 500 or len(set_spec) > 200:
        raise Invalid(
            "Name what to list (TARGET) in at most 500 characters.", details={"fields": {"target": "required"}}
        )
    try:
        first_cursor(kind, target, settings=settings, set_spec=set_spec or None)
    except BadTarget as err:
        raise Invalid(str(err), details={"fields": {"target": str(err)}}) from None
    taken = session.exec(
        select(Discovery).where(
            col(Discovery.kind) == kind, col(Discovery.target) == target, col(Discovery.set_spec) == set_spec
        )
    ).first()
    if taken is not None:
        raise Conflict(f"This discovery exists already (#{taken.id}).", code="duplicate", details={"id": taken.id})
    discovery = Discovery(
        kind=kind,
        target=target,
        set_spec=set_spec,
        collection_id=coll.id if coll else None,
        created_by_id=actor.user_id,
        schedule_hours=schedule_hours or 24,
        next_due_at=utcnow(),
    )
    session.add(discovery)
    session.flush()
    return _publics(session, [discovery])[0]


def find_or_add_discovery(
    session: Session, *, kind: str, target: str, set_spec: str | None, settings: ListerSettings
) -> int:
    """Return the id of the operator's discovery of (kind, target, set), adding it if new (the CLI)."""
    spec = (set_spec or "").strip()
    found = session.exec(
        select(Discovery.id).where(
            col(Discovery.kind) == kind, col(Discovery.target) == target.strip(), col(Discovery.set_spec) == spec
        )
    ).first()
    if found is not None:
        return found
    from . import OPERATOR

    return add_discovery(session, kind=kind, target=target, actor=OPERATOR, settings=settings, set_spec=spec).id


def review_found_item(
    session: Session, *, discovery_id: int, item_id: int, decision: str, actor: Actor | None
) -> FoundItemPublic:
    """Accept an inbox item into the discovery's collection, or dismiss it (its curators)."""
    actor = require_signed_in(actor)
    discovery = _find(session, discovery_id)
    coll = session.get(Collection, discovery.collection_id) if discovery.collection_id else None
    if coll is None:
        raise Invalid("This discovery fills no collection, so it has no inbox.")
    require(can_curate_collection(session, actor, coll), "Only the collection's curators review its inbox.")
    if decision not in ("accept", "dismiss"):
        raise Invalid("The decision is accept or dismiss.", details={"fields": {"decision": "accept | dismiss"}})
    item = session.get(DiscoveredItem, item_id)
    if item is None or item.discovery_id != discovery_id:
        raise NotFound(f"No item {item_id} in this discovery.")
    if item.review != "inbox":
        raise Conflict(f"This item was already {item.review or 'decided'}.", code="decided")
    if decision == "accept":
        src = session.get(Source, item.source_id) if item.source_id else None
        position = session.exec(
            select(func.coalesce(func.max(CollectionItem.position), 0)).where(
                col(CollectionItem.collection_id) == coll.id
            )
        ).one()
        title = str((item.evidence or {}).get("name") or "")[:300]
        assert coll.id is not None
        session.add(
            CollectionItem(
                collection_id=coll.id,
                position=int(position) + 1,
                entry_id=src.entry_id if src else None,
                source_id=src.id if src and not src.entry_id else None,
                url=item.url,
                title=title,
                added_by=actor.name,
            )
        )
    item.review = "accepted" if decision == "accept" else "dismissed"
    session.add(item)
    session.flush()
    return _item(item)


def _item(item: DiscoveredItem) -> FoundItemPublic:
    return FoundItemPublic(
        id=item.id or 0,
        url=item.url,
        source_id=item.source_id,
        entry=None,
        evidence=dict(item.evidence or {}),
        provenance=dict(item.provenance or {}),
        first_seen_at=item.first_seen_at,
        last_seen_at=item.last_seen_at,
        gone=item.gone_at is not None,
        review=item.review,
    )


def due_discoveries(session: Session) -> list[int]:
    """Return the ids of the discoveries due now."""
    due = session.exec(
        select(Discovery)
        .where(or_(col(Discovery.next_due_at).is_(None), col(Discovery.next_due_at) <= utcnow()))
        .order_by(col(Discovery.id))
    )
    return [d.id for d in due if d.id is not None]


def request_discovery(*, discovery_id: int, limit: int | None = None) -> JobRef:
    """Run a discovery now (no Redis) or queue it for a worker; a run still waiting is that job."""
    key = f"discovery:{discovery_id}"
    waiting = latest_jobs([key]).get(key)
    if waiting is not None and waiting.pending:
        return waiting
    return submit(_TASK, discovery_id, limit, kind="discovery", source=key, description=f"discover #{discovery_id}")


def queue_due_discoveries(session: Session) -> list[JobRef]:
    """Queue (or run) every due discovery; the scheduler calls this each tick."""
    return [request_discovery(discovery_id=d) for d in due_discoveries(session)]


def can_manage_discoveries(session: Session, actor: Actor | None) -> bool:
    """Who uses the discoveries pages: admins and moderators, and the curators (and admins) of a
    community that has a collection for a discovery to fill."""
    from ..models import CommunityMember

    if is_staff(actor):
        return True
    if actor is None or actor.user_id is None:
        return False
    curates = session.exec(
        select(CommunityMember.community_id)
        .join(Collection, col(Collection.community_id) == col(CommunityMember.community_id))
        .where(
            col(CommunityMember.user_id) == actor.user_id,
            col(CommunityMember.status) == "active",
            col(CommunityMember.role).in_(("curator", "admin")),
        )
    ).first()
    return curates is not None


def discovery_page(
    session: Session, *, discovery_id: int, actor: Actor | None, review: str | None, page: int, per_page: int
) -> dict:
    """Everything the page of one discovery shows: the discovery, its runs, what it found, may the reader review."""
    actor = require_signed_in(actor)
    require(can_manage_discoveries(session, actor), "Discoveries are for admins, moderators and curators.")
    discovery = get_discovery(session, discovery_id=discovery_id)
    runs, _total = list_discovery_runs(session, discovery_id=discovery_id, page=1, per_page=10)
    items, total = list_found_items(session, discovery_id=discovery_id, page=page, per_page=per_page, review=review)
    row = _find(session, discovery_id)
    coll = session.get(Collection, row.collection_id) if row.collection_id else None
    return {
        "discovery": discovery,
        "runs": runs,
        "items": items,
        "total": total,
        "can_review": coll is not None and can_curate_collection(session, actor, coll),
    }
