"""One way to search: `search(session, SearchRequest) -> SearchResult`, and the engines that answer it.

A request names a parsed query (or none, to browse), facet filters, an order and a page; a result
is the number of matches, the facet counts over all of them, the page's entry ids in order, whether
the query was widened and the languages a language name in it stood for. Two engines answer:
the fast path (the copy of the index in memory, `memory.py`) and the database (SQLite FTS5 or
PostgreSQL full text, through the backend of `__init__.py`). `search` asks the fast path first and
the database when the fast path cannot answer; both give the same totals, facets and order, which
`tests/search/test_engines.py` checks on every query of the benchmark's mix.

Callers get ids, never SQL: the list service reads the page's entries itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Protocol

from sqlalchemy import BigInteger, cast, exists, func, null, or_, union_all
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from ..models import FACETS, Entry, FacetValue
from . import counts, memory
from .backends import backend_for
from .counts import TOTAL, count_codes
from .documents import PAIR_SEP
from .query import ParsedQuery, expandable, one_typo_away, relax

SORTS = ("relevance", "updated", "name")
#: Fewer exact results than this and the query is widened with typo fixes and substrings.
FEW_RESULTS = 3
#: A relaxed query widens each word with this many typo fixes and substring matches at most.
MAX_EXPANSIONS = 12
_SUBSTRING_SCAN = 200
#: Fewer matches than this and a page sorted by date or name is taken from the matches themselves;
#: more, and the order's index is walked until a page of matches is found (they are dense there).
FEW_TO_SORT = 2000


@dataclass(frozen=True)
class SearchRequest:
    """What to find: a parsed query (None browses everything), facet filters, an order and a page."""

    query: ParsedQuery | None = None
    #: Facet values, OR within a facet and AND across facets.
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "updated"
    offset: int = 0
    limit: int = 20


@dataclass
class SearchResult:
    total: int
    facets: dict[str, dict[str, int]]
    #: The page's entry ids, in order.
    ids: list[int]
    #: The query as answered: the request's, or the widened one when that found more.
    query: ParsedQuery | None = None
    #: True when the exact query found little and typo fixes and substrings were added.
    relaxed: bool = False
    #: Language subtags a language name in the query stood for (`kiswahili` → sw).
    languages: list[str] = field(default_factory=list)


class Engine(Protocol):
    """An implementation of search for one query as it is (no widening): None when it cannot answer."""

    name: str

    def answer(self, session: Session, request: SearchRequest) -> SearchResult | None: ...


def search(session: Session, request: SearchRequest, *, engines: tuple[Engine, ...] | None = None) -> SearchResult:
    """Answer a request with the first engine that can (the fast path, then the database).

    A text query that finds fewer than FEW_RESULTS is asked again with each word widened by known
    words one typo away or containing it, and the wider answer is kept when it finds more.
    """
    engines = engines or ENGINES

    def run(req: SearchRequest) -> SearchResult:
        for engine in engines:
            found = engine.answer(session, req)
            if found is not None:
                return found
        raise RuntimeError("no search engine answered")  # the database always answers

    parsed = request.query
    result = run(request)
    if parsed is not None and result.total < FEW_RESULTS:
        relaxed = relaxed_query(session, parsed)
        if relaxed is not parsed:
            wider = run(replace(request, query=relaxed))
            if wider.total > result.total:
                result = wider
    if result.query is not None:
        result.relaxed = result.query.relaxed
        result.languages = sorted(result.query.languages)
    return result


def _nothing(request: SearchRequest) -> SearchResult | None:
    # Only punctuation or exclusions: there is nothing to look for, so nothing matches.
    if request.query is not None and request.query.empty:
        return SearchResult(total=0, facets={f: {} for f in FACETS}, ids=[], query=request.query)
    return None


# --- the database ---------------------------------------------------------------------------------


class DatabaseEngine:
    """The database's own index (FTS5 or a tsvector) and tables: always answers."""

    name = "database"

    def answer(self, session: Session, request: SearchRequest) -> SearchResult:
        if (empty := _nothing(request)) is not None:
            return empty
        parsed = request.query
        if request.sort == "relevance" and parsed is not None:
            total, facets, ids = _rank_and_count(session, request)
        else:
            matches = _filtered_ids(request, _text_condition(session, parsed, ranked=False)).subquery()
            if parsed is None and not request.filters:
                total, facets = _count_everything(session)
            else:
                total, facets = _count_matches(session, matches)
            ids = _page_in_order(session, request, matches, total)
        return SearchResult(total=total, facets=facets, ids=ids, query=parsed)


def visible():
    """The condition on `entries` that an entry is shown: not hidden, not deleted."""
    return (col(Entry.hidden) == False) & (col(Entry.deleted_at).is_(None))  # noqa: E712


def _invisible_ids():
    # Hidden and deleted entries are few: excluding them through a small partial index is far
    # cheaper than reading every matching entry's row to check it.
    return select(Entry.id).where(or_(col(Entry.hidden) == True, col(Entry.deleted_at).is_not(None)))  # noqa: E712


def _text_condition(session: Session, parsed: ParsedQuery | None, *, ranked: bool):
    # The backend answers the text part as a subquery: (entry_id, codes) for counting, (entry_id,
    # score, exact, codes) for ranking; without a query, every indexed entry. Parsing made any input safe.
    backend = backend_for(session)
    if parsed is None:
        return backend.documents()
    return backend.matches(parsed) if ranked else backend.match_ids(parsed)


def _filtered_ids(request: SearchRequest, matches):
    # The index holds only visible entries; the check against entries stays, so a change that
    # skipped the index can never make a hidden entry appear.
    column = matches.c.entry_id
    others = [c for c in matches.c if c.name != "entry_id"]
    stmt = select(column.label("id"), *others).where(column.not_in(_invisible_ids()))
    for facet, values in request.filters.items():
        stmt = stmt.where(
            column.in_(select(FacetValue.entry_id).where(FacetValue.facet == facet, col(FacetValue.value).in_(values)))
        )
    return stmt


def _sorted_facets(pairs) -> dict[str, dict[str, int]]:
    facets: dict[str, dict[str, int]] = {f: {} for f in FACETS}
    split = ((tuple(key.split(PAIR_SEP, 1)), n) for key, n in pairs)
    for (facet, value), n in sorted(split, key=lambda r: (r[0][0], -r[1], r[0][1])):
        facets.setdefault(facet, {})[value] = n
    return facets


def _count_matches(session: Session, ids) -> tuple[int, dict[str, dict[str, int]]]:
    # One pass over the matches' facet codes: a GROUP BY over their facet rows would sort seven
    # rows per match, several times slower on large result sets. The database joins the codes
    # into one string (tens of thousands of rows cost more to hand over than to count) and
    # numpy counts them (counts.py).
    total, joined = (
        session.connection().execute(select(func.count(), backend_for(session).concatenate(ids.c.codes, ""))).one()
    )
    return total, _sorted_facets(count_codes(session, joined).items())


def _count_everything(session: Session) -> tuple[int, dict[str, dict[str, int]]]:
    # Browsing everything reads the kept counts instead of every entry's facets. Hidden and
    # deleted entries are never indexed; should a change have skipped the index, their rows
    # are taken off here, as _filtered_ids leaves them out of every other count.
    found = counts.read(session, backend_for(session).documents(), _invisible_ids())
    total = found.pop(TOTAL, 0)
    return total, _sorted_facets(found.items())


def _rank_and_count(session: Session, request: SearchRequest) -> tuple[int, dict[str, dict[str, int]], list[int]]:
    """Return (total, facets, the page's ids in rank order) of a text query, in one statement.

    The matches are found and scored once, kept as a materialized table, and read twice: all of
    them for the count and the facets, and the best ``limit`` after ``offset`` for the page.
    Only the index rows take part: the page's (long) entry rows are read by the caller.
    """
    matched = _filtered_ids(request, _text_condition(session, request.query, ranked=True)).cte("matched")
    matched = matched.prefix_with("MATERIALIZED")
    page = (
        select(matched.c.id, matched.c.exact, matched.c.score)
        .order_by(matched.c.exact.desc(), matched.c.score.desc(), matched.c.id)
        .offset(request.offset)
        .limit(request.limit)
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
    facets = _sorted_facets(count_codes(session, joined).items())
    return total, facets, [id_ for *_, id_ in sorted(ranked)]


def _order(sort: str):
    if sort == "name":
        return (func.lower(Entry.name), col(Entry.id))
    return (col(Entry.updated_at).desc(), col(Entry.id).desc())


def _page_in_order(session: Session, request: SearchRequest, matches, total: int) -> list[int]:
    """Return the ids of a page of matches sorted by date or name (relevance needs a query: by date then).

    Known the number of matches, the cheaper of two plans is taken: few matches are sorted
    themselves (a rare filter value no longer walks every entry); many are found by walking the
    order's index (`updated_at`, or `lower(name), id`) and checking each entry — visible, indexed,
    with the filters' values, holding the query — until the page is full: matches are dense then,
    so the walk stops early. Only ids are read: the page's (long) entry rows are read by the caller.
    """
    if total == 0 or request.offset >= total:
        return []
    if total <= FEW_TO_SORT:
        stmt = select(Entry.id).where(col(Entry.id).in_(select(matches.c.id)))
    else:
        stmt = select(Entry.id).where(_walk_condition(session, request))
    page = session.exec(stmt.order_by(*_order(request.sort)).offset(request.offset).limit(request.limit)).all()
    return [id_ for id_ in page if id_ is not None]


def _walk_condition(session: Session, request: SearchRequest):
    """Return the condition on Entry that the request selects, checked one entry at a time."""
    indexed = _text_condition(session, None, ranked=False)
    condition = visible() & exists().where(indexed.c.entry_id == Entry.id)
    for facet, values in request.filters.items():
        condition &= exists().where(
            col(FacetValue.entry_id) == Entry.id, col(FacetValue.facet) == facet, col(FacetValue.value).in_(values)
        )
    if request.query is not None:
        condition &= backend_for(session).holds(request.query)
    return condition


# --- the fast path ------------------------------------------------------------------------------


class MemoryEngine:
    """The copy of the index in this process (memory.py): ranks and counts, or only counts.

    It cannot answer when the copy is off, or when the session wrote the index in its open
    transaction (the copy holds committed rows only). A page in name order comes from the
    database, after the copy counted the matches.
    """

    name = "memory"

    def answer(self, session: Session, request: SearchRequest) -> SearchResult | None:
        if (empty := _nothing(request)) is not None:
            return empty
        ranked = request.sort == "relevance" and request.query is not None
        # Date order (`sort=updated`, and browsing without a query) is the copy's too: each slot
        # keeps its entry's time. Name order comes from the database.
        by_date = not ranked and request.sort != "name"
        found = _ranked_in_memory(session, request, limit=request.limit if ranked or by_date else 0, by_date=by_date)
        if found is None:
            return None
        total, tally, ids = found
        facets = _sorted_facets(tally.items())
        if not ranked and not by_date:
            matches = _filtered_ids(request, _text_condition(session, request.query, ranked=False)).subquery()
            ids = _page_in_order(session, request, matches, total)
        return SearchResult(total=total, facets=facets, ids=ids, query=request.query)


# The count of the hidden and deleted entries, the sum of their ids and a sum of their ids
# scrambled: read from the small partial index in a fraction of a millisecond, and different
# whenever the set changes (short of a contrived swap), so the ids are read again only then.
# 64-bit arithmetic (PostgreSQL's ids are 32-bit), and every term stays far from overflowing.
# Built once: building the statement cost more than running it.
_BIG_ID = cast(Entry.id, BigInteger)
_INVISIBLE_FINGERPRINT = select(
    func.count(), func.coalesce(func.sum(_BIG_ID), 0), func.coalesce(func.sum((_BIG_ID * 7919) % 1000003), 0)
).where(or_(col(Entry.hidden) == True, col(Entry.deleted_at).is_not(None)))  # noqa: E712
_INVISIBLE_IDS = _invisible_ids()


def _ranked_in_memory(
    session: Session, request: SearchRequest, *, limit: int, by_date: bool = False
) -> tuple[int, Counter[str], list[int]] | None:
    """Return the number of matches, the count of each facet pair over them, and the ids of the page
    (``limit`` after the request's offset) in rank order, or newest first ``by_date``; or None when
    the database must answer."""
    backend = backend_for(session)
    index = memory.index_for(session, backend.memory_rows, counts.CODE_DIGITS)
    if index is None:
        return None
    snapshot = index.current(session)
    conn = session.connection()
    hidden_ids = index.hidden_ids(
        lambda: tuple(conn.execute(_INVISIBLE_FINGERPRINT).one()),
        lambda: conn.execute(_INVISIBLE_IDS).scalars().all(),
    )
    wanted = {facet: [f"{facet}{PAIR_SEP}{value}" for value in values] for facet, values in request.filters.items()}
    unknown = [pair for pairs in wanted.values() for pair in pairs if pair not in index.code_of_pair]
    if unknown:
        index.code_of_pair.update(counts.known_codes(session, unknown))
    filter_codes = [[index.code_of_pair[p] for p in pairs if p in index.code_of_pair] for pairs in wanted.values()]
    found = memory.rank(
        snapshot,
        request.query,
        filter_codes=filter_codes,
        hidden=hidden_ids,
        offset=request.offset,
        limit=limit,
        exact_phrase=lambda clause: backend.phrase_ids(session, clause),
        by_date=by_date,
    )
    unnamed = [code for code in found.codes if code not in index.pair_of_code]
    if unnamed:
        index.pair_of_code.update(counts.pairs_of_codes(session, unnamed))
    tally = Counter({index.pair_of_code[code]: n for code, n in found.codes.items()})
    return found.total, tally, found.page


ENGINES: tuple[Engine, ...] = (MemoryEngine(), DatabaseEngine())


# --- widening -----------------------------------------------------------------------------------


def relaxed_query(session: Session, query: ParsedQuery) -> ParsedQuery:
    """Return the query widened by indexed words one typo away from, or containing, each word."""
    backend = backend_for(session)
    words = expandable(query)
    if not words:
        return query
    candidates = {w: one_typo_away(w) for w in words}
    known = backend.known_terms(session, sorted({c for cs in candidates.values() for c in cs}))
    expansions = {}
    for word in words:
        fixes = sorted(c for c in candidates[word] if c in known)
        inside = sorted(t for t in backend.terms_containing(session, word, _SUBSTRING_SCAN) if t != word)
        # Shorter containing words are closer to what was meant (`former` → `reformer` before `transformers`).
        inside.sort(key=len)
        expansions[word] = list(dict.fromkeys(fixes + inside))[:MAX_EXPANSIONS]
    return relax(query, expansions)
