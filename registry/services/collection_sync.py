"""Import an awesome-list as a collection, and keep the collection in step with the list.

A re-sync touches only the groups and items that came from the list: curators' own items,
groups and notes stay, in the places they put them.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from sqlmodel import Session, select

import harvesters
from harvesters import HarvestError, HarvestOptions, Outcome
from harvesters.awesome_list import ParsedList
from harvesters.slugs import split_source

from ..db import write_session
from ..errors import Conflict, Invalid, RegistryError
from ..models import Collection, CollectionGroup, CollectionItem, Entry, HarvestRun, Source, utcnow
from . import Actor
from .collections import create_collection, find_collection
from .communities import make_slug
from .harvesting import HarvestResult, normalize_source, normalize_source_url
from .permissions import can_create_collection, can_curate_collection, require, require_signed_in


@dataclass
class ListSyncResult:
    """What one import or re-sync did, for the CLI table and the pages."""

    source: str
    outcome: Outcome
    collection: str | None = None
    added: int = 0
    removed: int = 0
    updated: int = 0
    pending: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def changes(self) -> list[str]:
        parts = [(self.added, "added"), (self.removed, "removed"), (self.updated, "updated")]
        return [f"{n} {word}" for n, word in parts if n]


def _check_allowed(session: Session, *, actor: Actor, url: str, collection: str | None) -> None:
    # Refused before anything is fetched: a sync the actor may not do writes nothing.
    target = session.exec(select(Collection).where(Collection.slug == collection.lower())).first() \
        if collection else None
    if target is None and not collection:
        src = session.exec(select(Source).where(Source.kind == "list", Source.url == url)).first()
        if src is not None:
            target = session.exec(select(Collection).where(Collection.list_source_id == src.id)).first()
    if target is not None:
        require(can_curate_collection(session, actor, target), "Only the collection's curators sync it.")
    else:
        require(can_create_collection(session, actor, None), "Sign in to import a list as a collection.")


def sync_list(app: Flask, *, source: str, actor: Actor | None, options: HarvestOptions,
              collection: str | None = None) -> ListSyncResult:
    """Harvest an awesome-list and apply it to its collection (made on first import)."""
    actor = require_signed_in(actor)
    url = normalize_source(source)
    harvester = harvesters.get_harvester("list")
    with Session(app.extensions["registry_engine"]) as session:
        _check_allowed(session, actor=actor, url=url, collection=collection)
        known = session.exec(select(Source).where(Source.kind == "list", Source.url == url)).first()
        linked = session.exec(select(Collection).where(Collection.list_source_id == known.id)).first() \
            if known is not None else None
    if known is not None and linked is not None and known.last_commit and \
            (not collection or collection.lower() == linked.slug):
        try:
            head = harvester.head(url, options=options)
        except HarvestError:
            head = None
        if head and head == known.last_commit:
            with write_session(app) as session:
                _record_run(session, session.get(Source, known.id), Outcome.UNCHANGED, commit=head)
            return ListSyncResult(source=source, outcome=Outcome.UNCHANGED, collection=linked.slug)
    # The clone runs outside any transaction: it may take minutes and must not hold the lock.
    try:
        parsed = harvester.harvest(url, options=options)
    except HarvestError as err:
        if known is not None:
            with write_session(app) as session:
                src = session.get(Source, known.id)
                src.consecutive_failures += 1
                src.last_error = str(err)
                _record_run(session, src, Outcome.FAILED, error=str(err))
        return ListSyncResult(source=source, outcome=Outcome.FAILED, error=str(err))
    with write_session(app) as session:
        result = apply_list(session, parsed=parsed, source_url=url, actor=actor, collection=collection)
    result.source = source
    return result


def apply_list(session: Session, *, parsed: ParsedList, source_url: str, actor: Actor,
               collection: str | None = None) -> ListSyncResult:
    """Bring a collection's list groups and items in step with a parsed list; record the run."""
    src = session.exec(select(Source).where(Source.kind == "list", Source.url == source_url)).first()
    if src is None:
        src = Source(kind="list", url=source_url)
        session.add(src)
        session.flush()
    target = find_collection(session, collection) if collection and _exists(session, collection) else None
    if target is None and not collection:
        target = session.exec(select(Collection).where(Collection.list_source_id == src.id)).first()
    created = target is None
    if created:
        slug = (collection or make_slug(split_source(source_url)[1], fallback="list")).lower()
        target = create_collection(session, actor=actor, slug=slug, title=parsed.title or slug,
                                   description=parsed.description, language=parsed.language)
    elif not can_curate_collection(session, actor, target):
        require(False, "Only the collection's curators sync it.")
    if target.list_source_id not in (None, src.id):
        raise Conflict(f"{target.slug} is synced from another list.", details={"collection": target.slug})
    target.list_source_id = src.id
    result = ListSyncResult(source=source_url, outcome=Outcome.UNCHANGED, collection=target.slug,
                            warnings=list(parsed.warnings))
    groups = _sync_groups(session, target, parsed)
    _sync_items(session, target, parsed, groups, result, actor=actor)
    if created:
        result.outcome = Outcome.CREATED
    elif result.added or result.removed or result.updated:
        result.outcome = Outcome.UPDATED
    if result.outcome is not Outcome.UNCHANGED:
        target.updated_at = utcnow()
    session.add(target)
    src.last_commit, src.consecutive_failures, src.last_error = parsed.commit, 0, None
    _record_run(session, src, result.outcome, commit=parsed.commit, changes=result.changes,
                warnings=result.warnings)
    return result


def _exists(session: Session, slug: str) -> bool:
    return session.exec(select(Collection.id).where(Collection.slug == slug.lower())).first() is not None


def _sync_groups(session: Session, collection: Collection, parsed: ParsedList) -> dict[str, int | None]:
    """Make one list group per section, in the list's order; drop list groups the list no longer has."""
    current = list(session.exec(select(CollectionGroup).where(CollectionGroup.collection_id == collection.id)
                                .order_by(CollectionGroup.position, CollectionGroup.id)))
    by_title = {g.title: g for g in current if g.from_list}
    wanted = [g.title for g in parsed.groups if g.title]
    ids: dict[str, int | None] = {"": None}
    for position, title in enumerate(wanted):
        group = by_title.pop(title, None) or CollectionGroup(collection_id=collection.id, title=title, from_list=True)
        group.position = position
        session.add(group)
        session.flush()
        ids[title] = group.id
    for gone in by_title.values():
        for item in session.exec(select(CollectionItem).where(CollectionItem.group_id == gone.id)):
            item.group_id = None
            session.add(item)
        session.delete(gone)
    for offset, group in enumerate(g for g in current if not g.from_list):
        group.position = len(wanted) + offset
        session.add(group)
    session.flush()
    return ids


def _target(session: Session, repository: str | None, result: ListSyncResult) -> tuple[int | None, int | None]:
    """Return (entry_id, pending source_id) for a repository link."""
    if not repository:
        return None, None
    try:
        url = normalize_source_url(repository)
    except Invalid:
        return None, None
    src = session.exec(select(Source).where(Source.kind == "git", Source.url == url)).first()
    if src is not None and src.entry_id:
        return src.entry_id, None
    entry = session.exec(select(Entry.id).where(Entry.source_url == url, Entry.deleted_at.is_(None))).first()
    if entry is not None:
        return entry, None
    if src is None:
        # Registered as a source due now: the next harvest turns it into an entry.
        src = Source(kind="git", url=url, next_due_at=utcnow())
        session.add(src)
        session.flush()
    result.pending += 1
    return None, src.id


def _item_key(item: CollectionItem) -> str:
    return item.url or ""


def _sync_items(session: Session, collection: Collection, parsed: ParsedList, groups: dict[str, int | None],
                result: ListSyncResult, *, actor: Actor) -> None:
    existing = list(session.exec(select(CollectionItem).where(CollectionItem.collection_id == collection.id)
                                 .order_by(CollectionItem.position, CollectionItem.id)))
    listed: dict[str, CollectionItem] = {}
    for item in existing:
        if item.from_list:
            if _item_key(item) in listed:
                session.delete(item)  # a duplicate left by an earlier version of the list
            else:
                listed[_item_key(item)] = item
    wanted: dict[str, tuple[int | None, object]] = {}
    for group in parsed.groups:
        for entry in group.items:
            key = entry.repository or entry.url
            try:
                key = normalize_source_url(key) if entry.repository else key
            except Invalid:
                pass
            wanted.setdefault(key, (groups.get(group.title), entry))
    rows: dict[str, CollectionItem] = {}
    for key, (group_id, parsed_item) in wanted.items():
        entry_id, source_id = _target(session, getattr(parsed_item, "repository", None), result)
        row = listed.pop(key, None)
        values = {"group_id": group_id, "title": parsed_item.title, "note": parsed_item.note,
                  "entry_id": entry_id, "source_id": source_id}
        if row is None:
            row = CollectionItem(collection_id=collection.id, url=key, from_list=True, added_by=actor.name, **values)
            result.added += 1
        elif any(getattr(row, k) != v for k, v in values.items() if k not in ("entry_id", "source_id")):
            result.updated += 1
        for k, v in values.items():
            setattr(row, k, v)
        session.add(row)
        rows[key] = row
    for gone in listed.values():
        session.delete(gone)
        result.removed += 1
    kept = [i for i in existing if not i.from_list or rows.get(_item_key(i)) is i]
    _renumber(kept, rows)
    session.add_all(kept)
    session.flush()


def _renumber(existing: list[CollectionItem], rows: dict[str, CollectionItem]) -> None:
    """Order list items as the list does; a curator's item stays right after the list item it followed."""
    following: dict[tuple[int | None, str | None], list[CollectionItem]] = defaultdict(list)
    last: dict[int | None, str] = {}
    for item in existing:  # in the old order
        if item.from_list:
            if _item_key(item) in rows and rows[_item_key(item)] is item:
                last[item.group_id] = _item_key(item)
            continue
        anchor = last.get(item.group_id)
        if anchor is not None and rows[anchor].group_id != item.group_id:
            anchor = None  # the item it followed moved to another section
        following[(item.group_id, anchor)].append(item)
    sequences: dict[int | None, list[CollectionItem]] = defaultdict(list)
    for (group_id, anchor), items in following.items():
        if anchor is None:
            sequences[group_id].extend(items)
    for key, row in rows.items():  # in the list's order
        sequences[row.group_id].append(row)
        sequences[row.group_id].extend(following.get((row.group_id, key), []))
    for items in sequences.values():
        for position, item in enumerate(items):
            item.position = position


def _record_run(session: Session, src: Source, outcome: Outcome, *, commit: str | None = None,
                changes: list[str] | None = None, warnings: list[str] | None = None,
                error: str | None = None) -> None:
    now = utcnow()
    src.last_harvested_at, src.next_due_at = now, now + timedelta(hours=src.schedule_hours)
    session.add(src)
    session.add(HarvestRun(source_id=src.id, started_at=now, finished_at=now, outcome=outcome.value, commit=commit,
                           changes=changes or [], warnings=warnings or [], error=error))


def list_source_of(session: Session, *, slug: str) -> Source | None:
    """Return the list source a collection is synced from, or None."""
    collection = find_collection(session, slug)
    return session.get(Source, collection.list_source_id) if collection.list_source_id else None


def sync_list_as_harvest(app: Flask, *, source: str, options: HarvestOptions,
                         collection: str | None = None) -> HarvestResult:
    """The operator's list sync (CLI or queue) as one line of a harvest summary: refusals become a failed run."""
    from . import OPERATOR

    try:
        r = sync_list(app, source=source, actor=OPERATOR, options=options, collection=collection)
    except RegistryError as err:
        return HarvestResult(source=source, outcome=Outcome.FAILED, error=err.message)
    notes = [f"{r.pending} linked repositories registered as sources, harvested when due"] if r.pending else []
    return HarvestResult(source=source, outcome=r.outcome, slug=r.collection and f"collection {r.collection}",
                         changes=r.changes, warnings=r.warnings + notes, error=r.error)
