"""Listing entries: a reader's query parsed and checked, answered by search (search/planner.py), shown as list shapes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from ..errors import BadRequest
from ..models import FACETS, Entry, FacetValue, Translation, attributes
from ..schemas import EntrySummary
from ..schemas.limits import QUERY_MAX
from ..search.documents import accepted
from ..search.planner import SORTS, SearchRequest, search
from ..search.query import ParsedQuery, parse_query
from ..search.snippets import MAX_SCANNED, Snippet, best_snippet, plain_text
from .entries import summarize

MAX_PER_PAGE = 100
#: What a page of results reads of each entry: its list shape (summarize) and the snippet's text.
_LISTED_COLUMNS = load_only(
    *attributes(
        Entry.id,
        Entry.slug,
        Entry.kind,
        Entry.name,
        Entry.summary,
        Entry.description,
        Entry.language,
        Entry.languages,
        Entry.license,
        Entry.tasks,
        Entry.region,
        Entry.updated_at,
    )
)


@dataclass
class EntryQuery:
    """What a reader asked a list for: text, facet filters (OR within, AND across), order, page."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str | None = None
    page: int = 1
    per_page: int = 20


@dataclass
class EntryResults:
    items: list[EntrySummary]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]
    #: Per slug, where the query matched the entry's text (for the search page; not in the JSON).
    snippets: dict[str, Snippet] = field(default_factory=dict)
    #: True when the exact query found little and typo fixes and substrings were added.
    relaxed: bool = False
    #: Language subtags a language name in the query stood for (`kiswahili` → sw).
    languages: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def parse_entry_query(args, *, default_per_page: int = 20) -> EntryQuery:
    """Build an EntryQuery from request arguments (a MultiDict); refuse bad values clearly."""

    def _int(name: str, default: int, low: int, high: int) -> int:
        raw = args.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise BadRequest(
                f"{name} must be a whole number, not {raw!r}", code="invalid_parameter", details={"parameter": name}
            ) from None
        if not low <= value <= high:
            raise BadRequest(
                f"{name} must be between {low} and {high}", code="invalid_parameter", details={"parameter": name}
            )
        return value

    sort = args.get("sort") or None
    if sort is not None and sort not in SORTS:
        raise BadRequest(
            f"sort must be one of {', '.join(SORTS)}", code="invalid_parameter", details={"parameter": "sort"}
        )
    filters = {}
    for facet in FACETS:
        # NUL cannot be stored in PostgreSQL text, so no facet value holds one: drop it, not fail.
        values = [v.replace("\x00", "").strip() for v in args.getlist(facet)]
        values = [v for v in values if v]
        if values:
            filters[facet] = values
    q = (args.get("q") or "").strip()
    if len(q) > QUERY_MAX:
        raise BadRequest(
            f"q must be at most {QUERY_MAX} characters", code="invalid_parameter", details={"parameter": "q"}
        )
    return EntryQuery(
        q=q,
        filters=filters,
        sort=sort,
        page=_int("page", 1, 1, 100_000),
        per_page=_int("per_page", default_per_page, 1, MAX_PER_PAGE),
    )


def _visible():
    return (col(Entry.hidden) == False) & (col(Entry.deleted_at).is_(None))  # noqa: E712


def list_entries(session: Session, *, query: EntryQuery) -> EntryResults:
    """Return one page of visible entries matching the query, with facet counts for the whole match."""
    found = search(
        session,
        SearchRequest(
            query=parse_query(query.q) if query.q else None,
            filters=query.filters,
            sort=query.sort or ("relevance" if query.q else "updated"),
            offset=(query.page - 1) * query.per_page,
            limit=query.per_page,
        ),
    )
    rows: list[Entry] = []
    if found.ids:
        by_id = {
            e.id: e for e in session.exec(select(Entry).options(_LISTED_COLUMNS).where(col(Entry.id).in_(found.ids)))
        }
        rows = [by_id[i] for i in found.ids if i in by_id]
    return EntryResults(
        items=[summarize(e) for e in rows],
        total=found.total,
        page=query.page,
        per_page=query.per_page,
        facets=found.facets,
        snippets=_snippets(session, rows, found.query) if found.query is not None else {},
        relaxed=found.relaxed,
        languages=found.languages,
    )


def _snippets(session: Session, rows: Sequence[Entry], parsed: ParsedQuery) -> dict[str, Snippet]:
    """Return, per slug, the first passage of the entry's text in any language where the query matched."""
    if not rows:
        return {}
    translations: dict[int, list[Translation]] = {}
    for tr in session.exec(
        select(Translation).where(col(Translation.entry_id).in_([e.id for e in rows])).order_by(Translation.lang)
    ):
        translations.setdefault(tr.entry_id, []).append(tr)

    def texts(entry: Entry):
        # Lazily: a README is turned into plain text only when the summaries before it did not match.
        yield entry.summary, entry.language
        yield plain_text(entry.description, limit=MAX_SCANNED), entry.language
        assert entry.id is not None  # read from the database, so it has its id
        for tr in translations.get(entry.id, []):
            if accepted(tr):
                yield tr.summary, tr.lang
                yield plain_text(tr.description, limit=MAX_SCANNED), tr.lang

    found = {}
    for entry in rows:
        snippet = best_snippet(texts(entry), parsed.terms, parsed.prefixes)
        if snippet is not None:
            found[entry.slug] = snippet
    return found


def count_entries(session: Session) -> dict[str, int]:
    """Return how many visible entries there are of each kind, and in how many languages."""
    rows = session.exec(select(Entry.kind, func.count()).where(_visible()).group_by(Entry.kind)).all()
    counts = {kind: n for kind, n in rows}
    langs = session.exec(
        select(func.count(func.distinct(FacetValue.value))).where(
            FacetValue.facet == "language", col(FacetValue.entry_id).in_(select(Entry.id).where(_visible()))
        )
    ).one()
    counts["total"] = sum(n for k, n in rows)
    counts["languages"] = langs
    return counts
