"""Collections: curated, ordered lists of entries in groups, with notes, translations and an Atom feed."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from ..errors import Conflict, Invalid, NotFound
from ..languages import closest_language
from ..models import (
    COLLECTION_VISIBILITY,
    Collection,
    CollectionGroup,
    CollectionItem,
    CollectionTranslation,
    Community,
    Entry,
    Source,
    Translation,
    User,
    utcnow,
)
from ..schemas import (
    CollectionDetail,
    CollectionGroupPublic,
    CollectionItemPublic,
    CollectionLink,
    CollectionOwner,
    CollectionPublic,
    CollectionTranslationPublic,
    EntrySummary,
)
from ..schemas.limits import COLLECTION_TEXT_MAX as _MAX
from ..services.entries import summarize
from . import Actor
from .communities import check_slug, clean_language, clean_text, find_community, make_slug
from .permissions import can_create_collection, can_curate_collection, is_staff, require, require_signed_in

MAX_ITEMS = 5000


def find_collection(session: Session, slug: str) -> Collection:
    """Return the collection with this slug or raise NotFound."""
    collection = session.exec(select(Collection).where(Collection.slug == (slug or "").lower())).first()
    if collection is None:
        raise NotFound(f"No collection {slug!r}.", details={"slug": slug})
    return collection


def _owner(session: Session, collection: Collection) -> CollectionOwner:
    if collection.community_id is not None:
        community = session.get(Community, collection.community_id)
        if community is not None:
            return CollectionOwner(type="community", slug=community.slug, name=community.name)
    if collection.owner_id is not None:
        user = session.get(User, collection.owner_id)
        if user is not None and user.deleted_at is None:
            return CollectionOwner(type="user", name=user.name, display_name=user.display_name or user.name)
    return CollectionOwner(type="site")


def _counts(session: Session, ids: list[int]) -> dict[int | None, int]:
    # Keyed by stored collections' ids, never None: typed so a row's optional id looks a count up.
    if not ids:
        return {}
    return dict(
        session.exec(
            select(CollectionItem.collection_id, func.count())
            .where(col(CollectionItem.collection_id).in_(ids))
            .group_by(col(CollectionItem.collection_id))
        ).all()
    )


Shown = TypeVar("Shown", bound=CollectionPublic)


def _view(
    session: Session,
    collection: Collection,
    *,
    lang: str | None,
    count: int,
    shape: type[Shown],
    translations: list[CollectionTranslation] | None = None,
) -> Shown:
    if translations is None:
        translations = list(
            session.exec(select(CollectionTranslation).where(CollectionTranslation.collection_id == collection.id))
        )
    by_lang = {t.lang: t for t in translations}
    shown = closest_language(lang, list(by_lang)) if lang and lang != collection.language else None
    if lang and collection.language and closest_language(lang, [collection.language]):
        shown = None  # the reader reads the original's language: show the original
    title, description, original = collection.title, collection.description, None
    if shown is not None:
        tr = by_lang[shown]
        title, description = tr.title or title, tr.description or description
        original = {"title": collection.title, "description": collection.description}
    source = session.get(Source, collection.list_source_id) if collection.list_source_id else None
    return shape(
        slug=collection.slug,
        title=title,
        description=description,
        language=collection.language,
        shown_language=shown or collection.language,
        region=collection.region,
        visibility=collection.visibility,
        owner=_owner(session, collection),
        translations={
            t.lang: CollectionTranslationPublic(
                title=t.title, description=t.description, origin=t.origin, reviewed_by=t.reviewed_by
            )
            for t in sorted(translations, key=lambda t: t.lang)
        },
        list_source=source.url if source is not None and not source.url.startswith("/") else None,
        item_count=count,
        created_at=collection.created_at,
        updated_at=collection.updated_at,
        original=original,
    )


def list_collections(
    session: Session,
    *,
    language: str | None = None,
    community: str | None = None,
    owner: str | None = None,
    lang: str | None = None,
    page: int = 1,
    per_page: int = 20,
) -> tuple[list[CollectionPublic], int, dict[str, dict[str, int]]]:
    """Return one page of public collections (newest first), the total, and counts by language."""
    stmt = select(Collection).where(Collection.visibility == "public")
    if community:
        stmt = stmt.where(Collection.community_id == find_community(session, community).id)
    if owner:
        stmt = stmt.join(User, col(User.id) == Collection.owner_id).where(User.name == owner.lower())
    rows = list(session.exec(stmt.order_by(col(Collection.updated_at).desc(), col(Collection.id).desc())))
    facets: dict[str, dict[str, int]] = {"language": {}}
    for c in rows:
        if c.language:
            facets["language"][c.language] = facets["language"].get(c.language, 0) + 1
    if language:
        rows = [c for c in rows if c.language and closest_language(language, [c.language])]
    total = len(rows)
    rows = rows[(page - 1) * per_page : page * per_page]
    counts = _counts(session, [c.id for c in rows if c.id is not None])  # read from the database: all have ids
    facets["language"] = dict(sorted(facets["language"].items(), key=lambda kv: (-kv[1], kv[0])))
    return (
        [_view(session, c, lang=lang, count=counts.get(c.id, 0), shape=CollectionPublic) for c in rows],
        total,
        facets,
    )


def _entry_texts(session: Session, entries: dict[int, Entry], lang: str | None) -> dict[int, EntrySummary]:
    summaries = {eid: summarize(e) for eid, e in entries.items()}
    if not lang or not entries:
        return summaries
    rows = session.exec(select(Translation).where(col(Translation.entry_id).in_(list(entries)))).all()
    by_entry: dict[int, dict[str, Translation]] = {}
    for tr in rows:
        by_entry.setdefault(tr.entry_id, {})[tr.lang] = tr
    for eid, summary in summaries.items():
        entry = entries[eid]
        if entry.language and closest_language(lang, [entry.language]):
            continue
        tag = closest_language(lang, list(by_entry.get(eid, {})))
        if tag is not None:
            tr = by_entry[eid][tag]
            summary.name, summary.summary = tr.name or summary.name, tr.summary or summary.summary
    return summaries


def get_collection(session: Session, *, slug: str, actor: Actor | None, lang: str | None = None) -> CollectionDetail:
    """Return a collection with its groups and items in order; entries the reader may not see are left out."""
    collection = find_collection(session, slug)
    groups = list(
        session.exec(
            select(CollectionGroup)
            .where(CollectionGroup.collection_id == collection.id)
            .order_by(col(CollectionGroup.position), col(CollectionGroup.id))
        )
    )
    items = list(
        session.exec(
            select(CollectionItem)
            .where(CollectionItem.collection_id == collection.id)
            .order_by(col(CollectionItem.position), col(CollectionItem.id))
        )
    )
    view = _view(session, collection, lang=lang, count=len(items), shape=CollectionDetail)
    view.can_curate = can_curate_collection(session, actor, collection)
    entry_ids = {i.entry_id for i in items if i.entry_id}
    source_ids = {i.source_id for i in items if i.source_id and not i.entry_id}
    sources = (
        {s.id: s for s in session.exec(select(Source).where(col(Source.id).in_(source_ids)))} if source_ids else {}
    )
    entry_ids |= {s.entry_id for s in sources.values() if s.entry_id}
    entries = (
        {e.id: e for e in session.exec(select(Entry).where(col(Entry.id).in_(entry_ids))) if e.id is not None}
        if entry_ids
        else {}
    )  # read from the database: every entry has its id
    visible = {eid: e for eid, e in entries.items() if is_staff(actor) or (not e.hidden and e.deleted_at is None)}
    summaries = _entry_texts(session, visible, lang or view.shown_language)
    titles = {g.id: g.title for g in groups}
    group_order = {g.id: n for n, g in enumerate(groups)}
    view.groups = []
    for g in groups:
        assert g.id is not None  # read from the database, so it has its id
        view.groups.append(CollectionGroupPublic(id=g.id, title=g.title, position=g.position, from_list=g.from_list))
    for item in sorted(items, key=lambda i: (group_order.get(i.group_id, -1), i.position, i.id)):
        entry_id = item.entry_id or (sources[item.source_id].entry_id if item.source_id in sources else None)
        if entry_id and entry_id not in visible:
            continue
        summary = summaries.get(entry_id) if entry_id else None
        assert item.id is not None  # read from the database, so it has its id
        view.items.append(
            CollectionItemPublic(
                id=item.id,
                position=item.position,
                group=titles.get(item.group_id),
                group_id=item.group_id,
                slug=summary.slug if summary else None,
                entry=summary,
                url=item.url,
                title=item.title or (summary.name if summary else item.url or ""),
                note=item.note,
                pending=summary is None and item.source_id is not None,
                from_list=item.from_list,
                added_at=item.created_at,
            )
        )
    view.item_count = len(view.items)
    return view


def curated_collection(session: Session, slug: str, actor: Actor | None) -> tuple[Actor, Collection]:
    """Return the signed-in actor and the collection, when the actor may curate it."""
    actor = require_signed_in(actor)
    collection = find_collection(session, slug)
    require(
        can_curate_collection(session, actor, collection),
        "Only the collection's owner, its community's curators and moderators change it.",
    )
    return actor, collection


def touch_collection(session: Session, collection: Collection) -> None:
    """Mark a collection as changed now (its feed and pages show it)."""
    collection.updated_at = utcnow()
    session.add(collection)


def _clean_visibility(value: Any) -> str:
    if value not in COLLECTION_VISIBILITY:
        raise Invalid(
            f"visibility: one of {', '.join(COLLECTION_VISIBILITY)}",
            details={"fields": {"visibility": "public or unlisted"}},
        )
    return value


def _clean_region(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not (len(value.strip()) == 2 and value.strip().isalpha()):
        raise Invalid("region: a two-letter country code such as KE", details={"fields": {"region": "a country code"}})
    return value.strip().upper()


def create_collection(
    session: Session,
    *,
    actor: Actor | None,
    title: str,
    slug: str | None = None,
    description: str = "",
    language: str | None = None,
    community: str | None = None,
    visibility: str = "public",
    region: str | None = None,
) -> Collection:
    """Make a collection owned by a community (its curators) or by the actor."""
    actor = require_signed_in(actor)
    owner_community = find_community(session, community) if community else None
    require(
        can_create_collection(session, actor, owner_community.id if owner_community else None),
        "Only the community's curators make its collections.",
    )
    title = clean_text("title", title, limit=_MAX["title"], required=True)
    slug = check_slug(slug) if slug else make_slug(title)
    if session.exec(select(Collection.id).where(Collection.slug == slug)).first() is not None:
        raise Conflict(f"The collection slug {slug!r} is taken.", details={"field": "slug"})
    collection = Collection(
        slug=slug,
        title=title,
        description=clean_text("description", description, limit=_MAX["description"]),
        language=clean_language(language),
        visibility=_clean_visibility(visibility),
        region=_clean_region(region),
        created_by=actor.name,
        community_id=owner_community.id if owner_community else None,
        owner_id=None if owner_community else actor.user_id,
    )
    session.add(collection)
    session.flush()
    return collection


def update_collection(session: Session, *, slug: str, actor: Actor | None, changes: dict[str, Any]) -> Collection:
    """Change a collection's title, description, language, region or visibility."""
    _actor, collection = curated_collection(session, slug, actor)
    unknown = set(changes) - {"title", "description", "language", "visibility", "region"}
    if unknown:
        raise Invalid(
            f"These fields cannot be changed: {', '.join(sorted(unknown))}",
            details={"fields": {k: "unknown field" for k in unknown}},
        )
    if "title" in changes:
        collection.title = clean_text("title", changes["title"], limit=_MAX["title"], required=True)
    if "description" in changes:
        collection.description = clean_text("description", changes["description"], limit=_MAX["description"])
    if "language" in changes:
        collection.language = clean_language(changes["language"])
    if "visibility" in changes:
        collection.visibility = _clean_visibility(changes["visibility"])
    if "region" in changes:
        collection.region = _clean_region(changes["region"])
    touch_collection(session, collection)
    return collection


def curatable_collections(session: Session, *, actor: Actor | None) -> list[CollectionLink]:
    """Return the collections the actor may add entries to."""
    if not actor or actor.user_id is None:
        return []
    rows = session.exec(select(Collection).order_by(Collection.title)).all()
    return [CollectionLink(slug=c.slug, title=c.title) for c in rows if can_curate_collection(session, actor, c)]


def collections_with_entry(session: Session, *, entry_id: int) -> list[CollectionLink]:
    """Return the public collections that list an entry."""
    rows = session.exec(_LISTING_ENTRY, params={"entry_id": entry_id}).all()
    return [CollectionLink(slug=s, title=t) for s, t in rows]


_LISTING_ENTRY = (
    select(Collection.slug, Collection.title)
    .join(CollectionItem, col(CollectionItem.collection_id) == Collection.id)
    .where(col(CollectionItem.entry_id) == bindparam("entry_id"), col(Collection.visibility) == "public")
    .order_by(Collection.title)
)


def collections_of_community(session: Session, *, slug: str) -> list[CollectionPublic]:
    """Return a community's public collections."""
    return list_collections(session, community=slug, per_page=1000)[0]
