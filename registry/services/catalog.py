"""Reading the registry in date order for feeds, sitemaps and OAI-PMH harvesters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from ..languages import closest_version
from ..models import Collection, CollectionItem, CollectionTranslation, Entry, FacetValue, Translation
from ..schemas import EntrySummary
from . import Actor
from .entries import to_public


def as_utc(value: datetime) -> datetime:
    """Return a timezone-aware UTC datetime (SQLite hands back naive ones, which are UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _visible():
    return (col(Entry.hidden) == False) & col(Entry.deleted_at).is_(None)  # noqa: E712


@dataclass(frozen=True)
class Window:
    """Which entries a harvester asks for: a date range, a set, and where the last page ended."""

    since: datetime | None = None  # inclusive
    before: datetime | None = None  # exclusive
    kind: str | None = None
    language: str | None = None
    collection: str | None = None  # slug of a public collection
    after: tuple[datetime, int] | None = None  # (updated_at, id) of the last entry already sent


def _window_query(window: Window):
    stmt = select(Entry).where(_visible())
    if window.since is not None:
        stmt = stmt.where(col(Entry.updated_at) >= window.since)
    if window.before is not None:
        stmt = stmt.where(col(Entry.updated_at) < window.before)
    if window.kind is not None:
        stmt = stmt.where(col(Entry.kind) == window.kind)
    if window.collection is not None:
        stmt = stmt.where(
            col(Entry.id).in_(
                select(CollectionItem.entry_id)
                .join(Collection, col(Collection.id) == CollectionItem.collection_id)
                .where(col(Collection.slug) == window.collection, col(Collection.visibility) == "public")
            )
        )
    if window.language is not None:
        stmt = stmt.where(
            col(Entry.id).in_(
                select(FacetValue.entry_id).where(
                    col(FacetValue.facet) == "language", col(FacetValue.value) == window.language
                )
            )
        )
    return stmt


def entries_in_window(session: Session, window: Window, *, limit: int) -> tuple[list[Entry], int]:
    """Return up to ``limit`` entries in (updated_at, id) order after the cursor, and the window's size.

    A cursor on (updated_at, id) rather than an offset means an entry changed during a long
    harvest moves past the cursor and is sent again later, instead of shifting the pages
    under the harvester so that another entry is skipped.
    """
    stmt = _window_query(window)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    if window.after is not None:
        stamp, last_id = window.after
        stmt = stmt.where(
            or_(col(Entry.updated_at) > stamp, (col(Entry.updated_at) == stamp) & (col(Entry.id) > last_id))
        )
    rows = session.exec(stmt.order_by(Entry.updated_at, Entry.id).limit(limit)).all()
    return list(rows), total


def newest_entries(
    session: Session, *, limit: int, language: str | None = None, actor: Actor | None = None, lang: str | None = None
):
    """Return the most recently changed visible entries in their public shape, newest first."""
    stmt = (
        _window_query(Window(language=language))
        .order_by(col(Entry.updated_at).desc(), col(Entry.id).desc())
        .limit(limit)
    )
    return [to_public(session, e, actor=actor, lang=lang) for e in session.exec(stmt).all()]


def earliest_datestamp(session: Session) -> datetime | None:
    """Return when the oldest visible change happened."""
    value = session.exec(select(func.min(Entry.updated_at)).where(_visible())).one()
    return as_utc(value) if value else None


def find_visible(session: Session, slug: str) -> Entry | None:
    """Return the visible entry with this slug, or None."""
    return session.exec(select(Entry).where(col(Entry.slug) == slug.lower(), _visible())).first()


def sitemap_rows(session: Session, *, offset: int, limit: int) -> list[tuple[str, datetime, list[str], str | None]]:
    """Return (slug, updated_at, translation languages, own language) of visible entries, by slug."""
    rows = session.exec(
        select(Entry.id, Entry.slug, Entry.updated_at, Entry.language)
        .where(_visible())
        .order_by(Entry.slug)
        .offset(offset)
        .limit(limit)
    ).all()
    ids = [r[0] for r in rows]
    langs: dict[int | None, list[str]] = {}  # keyed by ids read from the database, never None
    if ids:
        for entry_id, lang in session.exec(
            select(Translation.entry_id, Translation.lang)
            .where(col(Translation.entry_id).in_(ids))
            .order_by(Translation.lang)
        ):
            langs.setdefault(entry_id, []).append(lang)
    return [(slug, as_utc(updated), langs.get(entry_id, []), language) for entry_id, slug, updated, language in rows]


def count_visible(session: Session) -> int:
    """Return how many entries are public."""
    return session.exec(select(func.count()).select_from(Entry).where(_visible())).one()


def localize_summaries(session: Session, items: list[EntrySummary], lang: str | None) -> list[EntrySummary]:
    """Return list rows with name and summary in ``lang`` where the entry has that translation."""
    if not lang or not items:
        return items
    slugs = [i.slug for i in items]
    rows = session.exec(
        select(Entry.slug, Translation)
        .join(Translation, col(Translation.entry_id) == Entry.id)
        .where(col(Entry.slug).in_(slugs))
    ).all()
    by_slug: dict[str, dict[str, Translation]] = {}
    for slug, tr in rows:
        by_slug.setdefault(slug, {})[tr.lang] = tr
    out = []
    for item in items:
        # The same choice as an entry page makes (registry/languages.py).
        chosen = closest_version(by_slug.get(item.slug, {}), lang) if lang != item.language else None
        if chosen is not None:
            item = item.model_copy(update={"name": chosen.name or item.name, "summary": chosen.summary or item.summary})
        out.append(item)
    return out


def public_collections(session: Session) -> list[tuple[str, str]]:
    """Return (slug, title) of every public collection, by slug."""
    return list(
        session.exec(
            select(Collection.slug, Collection.title)
            .where(col(Collection.visibility) == "public")
            .order_by(Collection.slug)
        ).all()
    )


def collections_of(session: Session, entry_ids: list[int]) -> dict[int, list[str]]:
    """Return, per entry id, the slugs of the public collections it is in."""
    if not entry_ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = session.exec(
        select(CollectionItem.entry_id, Collection.slug)
        .join(Collection, col(Collection.id) == CollectionItem.collection_id)
        .where(col(CollectionItem.entry_id).in_(entry_ids), col(Collection.visibility) == "public")
        .order_by(Collection.slug)
    ).all()
    for entry_id, slug in rows:
        assert entry_id is not None  # matched one of entry_ids
        found.setdefault(entry_id, []).append(slug)
    return found


def collection_sitemap_rows(session: Session) -> list[tuple[str, datetime, list[str], str | None]]:
    """Return (slug, updated_at, translation languages, own language) of every public collection."""
    rows = session.exec(
        select(Collection.id, Collection.slug, Collection.updated_at, Collection.language)
        .where(col(Collection.visibility) == "public")
        .order_by(Collection.slug)
    ).all()
    langs: dict[int | None, list[str]] = {}  # keyed by ids read from the database, never None
    ids = [r[0] for r in rows]
    if ids:
        for cid, lang in session.exec(
            select(CollectionTranslation.collection_id, CollectionTranslation.lang)
            .where(col(CollectionTranslation.collection_id).in_(ids))
            .order_by(CollectionTranslation.lang)
        ):
            langs.setdefault(cid, []).append(lang)
    return [(slug, as_utc(updated), langs.get(cid, []), language) for cid, slug, updated, language in rows]
