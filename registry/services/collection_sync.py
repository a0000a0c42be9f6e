"""Import an awesome-list as a collection, and keep the collection in step with the list.

A re-sync touches only the groups and items that came from the list: curators' own items,
groups and notes stay, in the places they put them.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from harvesters import HarvestedList, Outcome
from harvesters.awesome_list import ListItem
from harvesters.slugs import split_source

from ..errors import Conflict, Invalid
from ..models import Collection, CollectionGroup, CollectionItem, Entry, Source, utcnow
from . import Actor
from .addresses import normalize_source_url
from .collections import create_collection, find_collection
from .communities import make_slug
from .permissions import can_create_collection, can_curate_collection, require, require_signed_in
from .runs import HarvestResult, record_run


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
    target = (
        session.exec(select(Collection).where(col(Collection.slug) == collection.lower())).first()
        if collection
        else None
    )
    if target is None and not collection:
        src = session.exec(select(Source).where(col(Source.kind) == "list", col(Source.url) == url)).first()
        if src is not None:
            target = session.exec(select(Collection).where(col(Collection.list_source_id) == src.id)).first()
    if target is not None:
        require(can_curate_collection(session, actor, target), "Only the collection's curators sync it.")
    else:
        require(can_create_collection(session, actor, None), "Sign in to import a list as a collection.")


class CollectionApplier:
    """Applies a HarvestedList: the collection it fills is made or brought in step with the list."""

    def check(self, session: Session, *, url: str, actor: Actor, target: str | None) -> None:
        """Only a collection's curators sync it; anyone signed in may import a new list."""
        require_signed_in(actor)
        _check_allowed(session, actor=actor, url=url, collection=target)

    def known_version(self, session: Session, src: Source, *, target: str | None) -> str | None:
        """A list already filling the collection asked for is skipped when its commit has not moved."""
        linked = session.exec(select(Collection).where(col(Collection.list_source_id) == src.id)).first()
        if linked is None or (target and target.lower() != linked.slug):
            return None
        return src.last_commit

    def label(self, session: Session, src: Source) -> str | None:
        """The collection the list fills."""
        linked = session.exec(select(Collection.slug).where(col(Collection.list_source_id) == src.id)).first()
        return f"collection {linked}" if linked else None

    def apply(
        self, session: Session, harvested: HarvestedList, *, src: Source, actor: Actor, target: str | None, display: str
    ) -> HarvestResult:
        """Bring the collection in step with the list and record the run."""
        synced = apply_list(session, parsed=harvested, src=src, actor=actor, collection=target)
        synced.source = display
        notes = (
            [f"{synced.pending} linked repositories registered as sources, harvested when due"]
            if synced.pending
            else []
        )
        return HarvestResult(
            source=display,
            outcome=synced.outcome,
            slug=synced.collection and f"collection {synced.collection}",
            changes=synced.changes,
            warnings=synced.warnings + notes,
            detail=synced,
        )


def apply_list(
    session: Session, *, parsed: HarvestedList, src: Source, actor: Actor, collection: str | None = None
) -> ListSyncResult:
    """Bring a collection's list groups and items in step with a parsed list; record the run."""
    source_url = src.url
    target = find_collection(session, collection) if collection and _exists(session, collection) else None
    if target is None and not collection:
        target = session.exec(select(Collection).where(col(Collection.list_source_id) == src.id)).first()
    created = target is None
    if target is None:
        slug = (collection or make_slug(split_source(source_url)[1], fallback="list")).lower()
        target = create_collection(
            session,
            actor=actor,
            slug=slug,
            title=parsed.title or slug,
            description=parsed.description,
            language=parsed.language,
        )
    elif not can_curate_collection(session, actor, target):
        require(False, "Only the collection's curators sync it.")
    if target.list_source_id not in (None, src.id):
        raise Conflict(f"{target.slug} is synced from another list.", details={"collection": target.slug})
    target.list_source_id = src.id
    result = ListSyncResult(
        source=source_url, outcome=Outcome.UNCHANGED, collection=target.slug, warnings=list(parsed.warnings)
    )
    groups = _sync_groups(session, target, parsed)
    _sync_items(session, target, parsed, groups, result, actor=actor)
    if created:
        result.outcome = Outcome.CREATED
    elif result.added or result.removed or result.updated:
        result.outcome = Outcome.UPDATED
    if result.outcome is not Outcome.UNCHANGED:
        target.updated_at = utcnow()
    session.add(target)
    src.last_commit = parsed.commit
    record_run(session, src, result.outcome, commit=parsed.commit, changes=result.changes, warnings=result.warnings)
    return result


def _exists(session: Session, slug: str) -> bool:
    return session.exec(select(Collection.id).where(col(Collection.slug) == slug.lower())).first() is not None


def _sync_groups(session: Session, collection: Collection, parsed: HarvestedList) -> dict[str, int | None]:
    """Make one list group per section, in the list's order; drop list groups the list no longer has."""
    assert collection.id is not None  # a stored collection (create_collection flushes a new one)
    current = list(
        session.exec(
            select(CollectionGroup)
            .where(col(CollectionGroup.collection_id) == collection.id)
            .order_by(col(CollectionGroup.position), col(CollectionGroup.id))
        )
    )
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
        for item in session.exec(select(CollectionItem).where(col(CollectionItem.group_id) == gone.id)):
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
    src = session.exec(select(Source).where(col(Source.kind) == "git", col(Source.url) == url)).first()
    if src is not None and src.entry_id:
        return src.entry_id, None
    entry = session.exec(select(Entry.id).where(col(Entry.source_url) == url, col(Entry.deleted_at).is_(None))).first()
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


def _sync_items(
    session: Session,
    collection: Collection,
    parsed: HarvestedList,
    groups: dict[str, int | None],
    result: ListSyncResult,
    *,
    actor: Actor,
) -> None:
    assert collection.id is not None  # a stored collection (create_collection flushes a new one)
    existing = list(
        session.exec(
            select(CollectionItem)
            .where(col(CollectionItem.collection_id) == collection.id)
            .order_by(col(CollectionItem.position), col(CollectionItem.id))
        )
    )
    listed: dict[str, CollectionItem] = {}
    for item in existing:
        if item.from_list:
            if _item_key(item) in listed:
                session.delete(item)  # a duplicate left by an earlier version of the list
            else:
                listed[_item_key(item)] = item
    wanted: dict[str, tuple[int | None, ListItem]] = {}
    for group in parsed.groups:
        for entry in group.items:
            key = entry.repository or entry.url
            if entry.repository:
                with suppress(Invalid):  # a link the registry refuses is kept as written
                    key = normalize_source_url(key)
            wanted.setdefault(key, (groups.get(group.title), entry))
    rows: dict[str, CollectionItem] = {}
    for key, (group_id, parsed_item) in wanted.items():
        entry_id, source_id = _target(session, getattr(parsed_item, "repository", None), result)
        row = listed.pop(key, None)
        values: dict[str, Any] = {
            "group_id": group_id,
            "title": parsed_item.title,
            "note": parsed_item.note,
            "entry_id": entry_id,
            "source_id": source_id,
        }
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


def list_source_of(session: Session, *, slug: str) -> Source | None:
    """Return the list source a collection is synced from, or None."""
    collection = find_collection(session, slug)
    return session.get(Source, collection.list_source_id) if collection.list_source_id else None
