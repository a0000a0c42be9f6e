"""One search, several engines: the fast path and the database give the same answers to every query
of the benchmark's mixes (totals, facets, and the page's order where both rank the same way)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session
from werkzeug.datastructures import MultiDict

from bench.search import fill, readme_mix, small_mix
from registry.db import get_engine
from registry.search import memory, reindex
from registry.search.planner import DatabaseEngine, MemoryEngine, SearchRequest, search
from registry.search.query import parse_query
from registry.services.listing import parse_entry_query

ENTRIES, SEED = 500, 11


@pytest.fixture
def corpus(app):
    """A generated registry (bench/readme_corpus.py, README-sized descriptions in ten languages), indexed."""
    fill(app, ENTRIES, seed=SEED, corpus="readme")
    with app.app_context(), Session(get_engine(app)) as session:
        reindex(session)
        session.commit()
    memory.enable(get_engine(app))
    return app


def _requests():
    for _category, key, args in readme_mix(ENTRIES, SEED) + small_mix():
        query = parse_entry_query(MultiDict(args))
        yield key, SearchRequest(
            query=parse_query(query.q) if query.q else None,
            filters=query.filters,
            sort=query.sort or ("relevance" if query.q else "updated"),
            offset=(query.page - 1) * query.per_page,
            limit=query.per_page,
        )


def test_the_fast_path_and_the_database_answer_every_query_of_the_mix_alike(corpus):
    postgres = get_engine(corpus).dialect.name == "postgresql"
    asked = answered = 0
    with Session(get_engine(corpus)) as session:
        for key, request in _requests():
            fast = MemoryEngine().answer(session, request)
            slow = DatabaseEngine().answer(session, request)
            assert fast is not None, key
            asked += 1
            answered += fast.total > 0
            assert (fast.total, fast.facets) == (slow.total, slow.facets), key
            # PostgreSQL ranks with ts_rank, the fast path with FTS5's bm25: the same matches, another order.
            if not (postgres and request.sort == "relevance" and request.query is not None):
                assert fast.ids == slow.ids, key
            # Widening (typo fixes, substrings) works on either engine's answers.
            widened = search(session, request)
            alone = search(session, request, engines=(DatabaseEngine(),))
            assert (widened.total, widened.facets, widened.relaxed) == (alone.total, alone.facets, alone.relaxed), key
    assert asked > 120 and answered > asked // 2  # the mix was asked, and most of it finds something


def test_a_rare_filter_pages_from_its_few_matches_and_an_unknown_one_finds_nothing(corpus):
    with Session(get_engine(corpus)) as session:
        licences = DatabaseEngine().answer(session, SearchRequest()).facets["license"]
        rarest = min(licences, key=lambda value: (licences[value], value))
        for engine in (MemoryEngine(), DatabaseEngine()):
            nothing = engine.answer(session, SearchRequest(filters={"language": ["xx"]}, sort="updated"))
            assert nothing is not None and (nothing.total, nothing.ids) == (0, []), engine.name
            rare = engine.answer(session, SearchRequest(filters={"license": [rarest]}, sort="name", limit=100))
            assert rare is not None and rare.total == len(rare.ids) == licences[rarest], engine.name
        by_name = DatabaseEngine().answer(session, SearchRequest(sort="name", limit=100))
        browsed = DatabaseEngine().answer(session, SearchRequest(sort="updated", offset=100, limit=100))
        assert by_name.total == browsed.total == ENTRIES - len(_hidden(session))
        assert len(by_name.ids) == len(browsed.ids) == 100 and not set(by_name.ids) & _hidden(session)


def _hidden(session) -> set[int]:
    from sqlmodel import col, or_, select

    from registry.models import Entry

    return set(session.exec(select(Entry.id).where(or_(col(Entry.hidden), col(Entry.deleted_at).is_not(None)))))


@pytest.mark.slow
def test_a_page_in_date_or_name_order_is_the_same_whether_matches_are_sorted_or_the_order_is_walked(
    corpus, monkeypatch
):
    from registry.search import planner

    ordered = [
        (key, req) for key, req in _requests() if req.sort != "relevance" or req.query is None
    ]
    ordered += [(f"{key} by {sort}", replace(req, sort=sort, offset=offset)) for key, req in list(_requests())[:40]
                for sort, offset in (("updated", 0), ("name", 20))]
    assert len(ordered) > 60
    with Session(get_engine(corpus)) as session:
        for key, request in ordered:
            monkeypatch.setattr(planner, "FEW_TO_SORT", 10**9)  # sort the matches themselves
            sorted_ = DatabaseEngine().answer(session, request)
            monkeypatch.setattr(planner, "FEW_TO_SORT", 0)  # walk the order's index, checking each entry
            walked = DatabaseEngine().answer(session, request)
            assert (walked.total, walked.ids) == (sorted_.total, sorted_.ids), key
