"""Listing entries: a query's filters, sort and page, ranked and counted by the search backends."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, cast, exists, func, null, or_, union_all
from sqlalchemy import select as core_select
from sqlalchemy.orm import load_only
from sqlmodel import Session, col, select

from ..errors import BadRequest
from ..models import FACETS, Entry, FacetValue, Translation, attributes
from ..schemas import EntrySummary
from ..search import backend_for, indexed_facet_counts, ranked_in_memory, relaxed_query, text_matches
from ..search.counts import TOTAL, count_codes
from ..search.documents import PAIR_SEP, accepted
from ..search.query import ParsedQuery, parse_query
from ..search.snippets import MAX_SCANNED, Snippet, best_snippet, plain_text
from .entries import summarize

MAX_PER_PAGE = 100
SORTS = ("relevance", "updated", "name")
#: Fewer exact results than this and the query is widened with typo fixes and substrings.
FEW_RESULTS = 3
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
    return EntryQuery(
        q=(args.get("q") or "").strip()[:500],
        filters=filters,
        sort=sort,
        page=_int("page", 1, 1, 100_000),
        per_page=_int("per_page", default_per_page, 1, MAX_PER_PAGE),
    )


def _visible():
    return (col(Entry.hidden) == False) & (col(Entry.deleted_at).is_(None))  # noqa: E712


def _text_condition(session: Session, parsed: ParsedQuery | None, *, ranked: bool = False):
    # The search backend of this database (SQLite FTS5 or PostgreSQL full text) answers the
    # text part as a subquery: (entry_id, facets) for counting, (entry_id, score, exact) for
    # ranking a page; without a query, every indexed entry. Parsing made any input safe.
    return text_matches(session, parsed, ranked=ranked)


def _invisible_ids():
    # Hidden and deleted entries are few: excluding them through a small partial index is far
    # cheaper than reading every matching entry's row to check it.
    return select(Entry.id).where(or_(col(Entry.hidden) == True, col(Entry.deleted_at).is_not(None)))  # noqa: E712


def _filtered_ids(query: EntryQuery, matches):
    # The index holds only visible entries; the check against entries stays, so a change that
    # skipped the index can never make a hidden entry appear.
    column = matches.c.entry_id
    others = [c for c in matches.c if c.name != "entry_id"]
    stmt = select(column.label("id"), *others).where(column.not_in(_invisible_ids()))
    for facet, values in query.filters.items():
        stmt = stmt.where(
            column.in_(select(FacetValue.entry_id).where(FacetValue.facet == facet, col(FacetValue.value).in_(values)))
        )
    return stmt


def _browse_condition(session: Session, query: EntryQuery):
    """Return the condition on Entry that browsing with the query's filters (and no text) selects."""
    indexed = text_matches(session, None)
    condition = _visible() & exists().where(indexed.c.entry_id == Entry.id)
    for facet, values in query.filters.items():
        condition &= exists().where(
            col(FacetValue.entry_id) == Entry.id, col(FacetValue.facet) == facet, col(FacetValue.value).in_(values)
        )
    return condition


def _sorted_facets(counts) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    for (facet, value), count in sorted(counts, key=lambda r: (r[0][0], -r[1], r[0][1])):
        facets.setdefault(facet, {})[value] = count
    return facets


def _count_matches(session: Session, ids) -> tuple[int, dict[str, dict[str, int]]]:
    # One pass over the matches' facet codes: a GROUP BY over their facet rows would sort seven
    # rows per match, several times slower on large result sets. The database joins the codes
    # into one string (tens of thousands of rows cost more to hand over than to count) and
    # numpy counts them (search/counts.py).
    total, joined = (
        session.connection().execute(select(func.count(), backend_for(session).concatenate(ids.c.codes, ""))).one()
    )
    counter = count_codes(session, joined)
    return total, _sorted_facets((tuple(k.split(PAIR_SEP, 1)), n) for k, n in counter.items())


def _count_everything(session: Session) -> tuple[int, dict[str, dict[str, int]]]:
    # Browsing everything reads the kept counts instead of every entry's facets. Hidden and
    # deleted entries are never indexed; should a change have skipped the index, their rows
    # are taken off here, as _filtered_ids leaves them out of every other count.
    found = indexed_facet_counts(session, leave_out=_invisible_ids())
    total = found.pop(TOTAL, 0)
    return total, _sorted_facets((tuple(k.split(PAIR_SEP, 1)), n) for k, n in found.items())


def _rank_and_count(session: Session, query: EntryQuery, parsed: ParsedQuery, offset: int):
    """Return (total, facets, the page's ids in rank order) of a text query, in one statement.

    The matches are found and scored once, kept as a materialized table, and read twice: all of
    them for the count and the facets, and the best ``per_page`` after ``offset`` for the page.
    Only the index rows take part: the page's (long) entry rows are read afterwards.
    """
    matched = _filtered_ids(query, _text_condition(session, parsed, ranked=True)).cte("matched")
    matched = matched.prefix_with("MATERIALIZED")
    page = (
        select(matched.c.id, matched.c.exact, matched.c.score)
        .order_by(matched.c.exact.desc(), matched.c.score.desc(), matched.c.id)
        .offset(offset)
        .limit(query.per_page)
        .subquery("page")
    )
    # sqlalchemy's own select: sqlmodel's is typed for at most four columns.
    counted = core_select(
        null().label("id"),
        null().label("exact"),
        null().label("score"),
        func.count().label("n"),
        backend_for(session).concatenate(matched.c.codes, "").label("codes"),
    ).select_from(matched)
    listed = core_select(page.c.id, page.c.exact, page.c.score, null(), null())
    total, joined, ranked = 0, None, []
    for id_, exact, score, n, codes in session.connection().execute(union_all(counted, listed)):
        if n is not None:
            total, joined = n, codes
        else:
            ranked.append((-exact, -score, id_))
    facets = _sorted_facets((tuple(k.split(PAIR_SEP, 1)), c) for k, c in count_codes(session, joined).items())
    return total, facets, [id_ for *_, id_ in sorted(ranked)]


def _invisible_fingerprint():
    # The count of the hidden and deleted entries, the sum of their ids and a sum of their ids
    # scrambled: read from the small partial index in a fraction of a millisecond, and different
    # whenever the set changes (short of a contrived swap), so the ids are read again only then.
    # 64-bit arithmetic (PostgreSQL's ids are 32-bit), and every term stays far from overflowing.
    big = cast(Entry.id, BigInteger)
    return select(
        func.count(), func.coalesce(func.sum(big), 0), func.coalesce(func.sum((big * 7919) % 1000003), 0)
    ).where(or_(col(Entry.hidden) == True, col(Entry.deleted_at).is_not(None)))  # noqa: E712


def _rank_in_memory(
    session: Session, query: EntryQuery, parsed: ParsedQuery | None, offset: int, *, ranked: bool = True
):
    """Return what _rank_and_count returns, from the in-memory copy of the index; None when it cannot answer.

    Unranked (or without a query), only the total and the facets: the page comes from the database.
    """
    conn = session.connection()
    hidden = (
        lambda: tuple(conn.execute(_invisible_fingerprint()).one()),
        lambda: conn.execute(_invisible_ids()).scalars().all(),
    )
    found = ranked_in_memory(
        session,
        parsed,
        filters=query.filters,
        hidden=hidden,
        offset=offset,
        limit=query.per_page if ranked and parsed is not None else 0,
    )
    if found is None:
        return None
    total, tally, page_ids = found
    return total, _sorted_facets((tuple(k.split(PAIR_SEP, 1)), n) for k, n in tally.items()), page_ids


def _widened(session: Session, parsed: ParsedQuery, answer: tuple, run) -> tuple[ParsedQuery, tuple]:
    """Return the query and its answer, or the relaxed query and its answer when that finds more.

    A query that finds almost nothing is run again with each word widened by known words one
    typo away or containing it; ``run(query)`` answers a query with a tuple whose first item is
    the total.
    """
    if answer[0] < FEW_RESULTS:
        relaxed = relaxed_query(session, parsed)
        if relaxed is not parsed:
            wider = run(relaxed)
            if wider[0] > answer[0]:
                return relaxed, wider
    return parsed, answer


def list_entries(session: Session, *, query: EntryQuery) -> EntryResults:
    """Return one page of visible entries matching the query, with facet counts for the whole match."""
    parsed = parse_query(query.q) if query.q else None
    if parsed is not None and parsed.empty:
        # Only punctuation or exclusions: there is nothing to look for, so nothing matches.
        return EntryResults(items=[], total=0, page=query.page, per_page=query.per_page, facets={f: {} for f in FACETS})
    sort = query.sort or ("relevance" if query.q else "updated")
    offset = (query.page - 1) * query.per_page
    rows: Sequence[Entry]
    if sort == "relevance" and parsed is not None:

        def rank(p: ParsedQuery):
            answer = _rank_in_memory(session, query, p, offset)
            return answer if answer is not None else _rank_and_count(session, query, p, offset)

        parsed, (total, facets, page_ids) = _widened(session, parsed, rank(parsed), rank)
        found = {
            e.id: e for e in session.exec(select(Entry).options(_LISTED_COLUMNS).where(col(Entry.id).in_(page_ids)))
        }
        rows = [found[i] for i in page_ids if i in found]
    else:

        def count(p: ParsedQuery | None):
            ids = _filtered_ids(query, _text_condition(session, p)).subquery()
            counted = _rank_in_memory(session, query, p, offset, ranked=False)
            if counted is not None:
                return counted[0], counted[1], ids
            if p is None and not query.filters:
                return *_count_everything(session), ids
            return *_count_matches(session, ids), ids

        answer = count(parsed)
        if parsed is not None:
            parsed, answer = _widened(session, parsed, answer, count)
        total, facets, ids = answer
        if parsed is None:
            # Browsing: walk the updated_at index and check each entry (visible, indexed, with
            # the filters' values), stopping after one page, rather than gather every matching
            # id first. Each check is a condition on the entry's own id, so the planner can
            # probe the indexes per entry (PostgreSQL: 18 ms instead of 155 ms for one language
            # at 100k entries).
            stmt = select(Entry).where(_browse_condition(session, query))
        else:
            stmt = select(Entry).where(col(Entry.id).in_(select(ids.c.id)))
        if sort == "name":
            stmt = stmt.order_by(func.lower(Entry.name), col(Entry.id))
        else:
            stmt = stmt.order_by(col(Entry.updated_at).desc(), col(Entry.id).desc())
        rows = session.exec(stmt.offset(offset).limit(query.per_page)).all()
    return EntryResults(
        items=[summarize(e) for e in rows],
        total=total,
        page=query.page,
        per_page=query.per_page,
        facets=facets,
        snippets=_snippets(session, rows, parsed) if parsed else {},
        relaxed=bool(parsed and parsed.relaxed),
        languages=sorted(parsed.languages) if parsed else [],
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
