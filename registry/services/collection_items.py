"""A collection's items: adding entries and links, notes, groups, order and removal, by its curators."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..errors import Conflict, Invalid, NotFound
from ..models import Collection, CollectionGroup, CollectionItem, Entry
from ..schemas.limits import COLLECTION_TEXT_MAX as _MAX
from . import Actor
from .collections import MAX_ITEMS, curated_collection, touch_collection
from .communities import clean_text


def _group_id(session: Session, collection: Collection, group: Any) -> int | None:
    if group in (None, ""):
        return None
    rows = list(session.exec(select(CollectionGroup).where(CollectionGroup.collection_id == collection.id)))
    for g in rows:
        if str(g.id) == str(group) or g.title == str(group).strip():
            return g.id
    title = clean_text("group", str(group), limit=_MAX["group"], required=True)
    assert collection.id is not None  # find_collection read it from the database
    new = CollectionGroup(collection_id=collection.id, title=title, position=len(rows))
    session.add(new)
    session.flush()
    return new.id


def _next_position(session: Session, collection_id: int) -> int:
    top = session.exec(
        select(func.max(CollectionItem.position)).where(CollectionItem.collection_id == collection_id)
    ).one()
    return 0 if top is None else top + 1


def add_item(
    session: Session, *, slug: str, actor: Actor | None, entry: str, note: str = "", group: Any = None
) -> CollectionItem:
    """Add a registered entry to a collection, at the end, with a curator's note."""
    actor, collection = curated_collection(session, slug, actor)
    target = session.exec(
        select(Entry).where(
            Entry.slug == (entry or "").strip().lower(),
            col(Entry.deleted_at).is_(None),
            Entry.hidden == False,  # noqa: E712 (SQL, not Python: `is False` would not make a query)
        )
    ).first()
    if target is None:
        raise Invalid(f"No entry {entry!r} is registered.", details={"fields": {"entry": "not registered"}})
    if session.exec(
        select(CollectionItem.id).where(
            CollectionItem.collection_id == collection.id, CollectionItem.entry_id == target.id
        )
    ).first():
        raise Conflict(f"{target.slug} is in this collection already.")
    count = session.exec(
        select(func.count()).select_from(CollectionItem).where(CollectionItem.collection_id == collection.id)
    ).one()
    if count >= MAX_ITEMS:
        raise Conflict(f"A collection holds at most {MAX_ITEMS} items.")
    assert collection.id is not None  # find_collection read it from the database
    item = CollectionItem(
        collection_id=collection.id,
        entry_id=target.id,
        note=clean_text("note", note, limit=_MAX["note"]),
        group_id=_group_id(session, collection, group),
        position=_next_position(session, collection.id),
        added_by=actor.name,
    )
    session.add(item)
    touch_collection(session, collection)
    session.flush()
    return item


def _item(session: Session, collection: Collection, item_id: Any) -> CollectionItem:
    # An id beyond 64 bits cannot be a row, and SQLite refuses to even compare it.
    item = session.get(CollectionItem, item_id) if isinstance(item_id, int) and 0 < item_id < 2**63 else None
    if item is None or item.collection_id != collection.id:
        raise NotFound(f"No item {item_id} in this collection.")
    return item


def update_item(
    session: Session, *, slug: str, actor: Actor | None, item_id: int, changes: dict[str, Any]
) -> CollectionItem:
    """Change an item's note or group."""
    _actor, collection = curated_collection(session, slug, actor)
    item = _item(session, collection, item_id)
    unknown = set(changes) - {"note", "group"}
    if unknown:
        raise Invalid(
            f"These fields cannot be changed: {', '.join(sorted(unknown))}",
            details={"fields": {k: "unknown field" for k in unknown}},
        )
    if "note" in changes:
        item.note = clean_text("note", changes["note"], limit=_MAX["note"])
    if "group" in changes:
        item.group_id = _group_id(session, collection, changes["group"])
    session.add(item)
    touch_collection(session, collection)
    return item


def remove_item(session: Session, *, slug: str, actor: Actor | None, item_id: int) -> None:
    """Take an item out of a collection."""
    _actor, collection = curated_collection(session, slug, actor)
    session.delete(_item(session, collection, item_id))
    touch_collection(session, collection)
    session.flush()


def reorder_items(session: Session, *, slug: str, actor: Actor | None, order: Any) -> None:
    """Put the items in the given order: a list naming every item id once."""
    _actor, collection = curated_collection(session, slug, actor)
    items = {
        i.id: i
        for i in session.exec(select(CollectionItem).where(CollectionItem.collection_id == collection.id))
        if i.id is not None
    }  # read from the database: every item has its id
    if (
        not isinstance(order, list)
        or sorted(o for o in order if isinstance(o, int)) != sorted(items)
        or len(order) != len(items)
    ):
        raise Invalid(
            "items: list every item id of the collection exactly once",
            details={"fields": {"items": "every item id once"}},
        )
    for position, item_id in enumerate(order):
        items[item_id].position = position
        session.add(items[item_id])
    touch_collection(session, collection)


def move_item(session: Session, *, slug: str, actor: Actor | None, item_id: int, offset: int) -> None:
    """Move an item up (-1) or down (+1) among the items of its group."""
    _actor, collection = curated_collection(session, slug, actor)
    item = _item(session, collection, item_id)
    siblings = list(
        session.exec(
            select(CollectionItem)
            .where(
                CollectionItem.collection_id == collection.id,
                CollectionItem.group_id == item.group_id
                if item.group_id is not None
                else col(CollectionItem.group_id).is_(None),
            )
            .order_by(col(CollectionItem.position), col(CollectionItem.id))
        )
    )
    at = siblings.index(item)
    to = at + (1 if offset > 0 else -1)
    if not 0 <= to < len(siblings):
        return
    siblings[at], siblings[to] = siblings[to], siblings[at]
    positions = sorted(s.position for s in siblings)
    if len(set(positions)) != len(positions):
        positions = list(range(positions[0], positions[0] + len(positions)))
    for position, sibling in zip(positions, siblings, strict=False):
        sibling.position = position
        session.add(sibling)
    touch_collection(session, collection)
