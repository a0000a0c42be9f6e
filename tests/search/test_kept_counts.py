"""Browsing everything reads kept facet counts: after any sequence of changes they equal a recount."""
from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from registry import create_app
from registry.db import get_engine, write_session
from registry.facets import facet_values
from registry.models import FACETS, Entry
from registry.search import counts, reindex
from registry.search.documents import FACET_SEP, PAIR_SEP
from registry.services import Actor
from registry.services.editing import edit_entry, purge_entry, set_hidden
from tests.helpers import add_entry
from tests.search.conftest import search

ADMIN = Actor(name="root", role="admin")
CHOICES = {
    "kind": ["model", "dataset", "project"],
    "license": ["MIT", "Apache-2.0", "MIT OR Apache-2.0", "CC0-1.0"],
    "languages": [["sw"], ["zh-Hans", "en"], ["ar"], []],
    "tasks": [["translation"], ["summarization", "translation"], []],
    "region": ["KE", "CN", None],
    "frameworks": [["pytorch"], ["jax", "pytorch"], []],
}


def _visible_counts(app) -> tuple[int, dict[str, dict[str, int]]]:
    with write_session(app) as s:
        visible = [e for e in s.exec(select(Entry)) if not e.hidden and e.deleted_at is None]
        counts = {f: Counter() for f in FACETS}
        for entry in visible:
            for facet, value in facet_values(entry):
                counts[facet][value] += 1
    return len(visible), {f: dict(c) for f, c in counts.items()}


def _kept_rows(app) -> Counter:
    with write_session(app) as s:
        return Counter(dict(s.execute(text("SELECT pair, n FROM search_facet_counts WHERE n > 0")).all()))


def _recount_of_index(app) -> Counter:
    with write_session(app) as s:
        table = "search_documents" if s.get_bind().dialect.name == "postgresql" else "search_meta"
        found = Counter()
        for (facets,) in s.execute(text(f"SELECT facets FROM {table}")):
            found.update(facets.split(FACET_SEP) if facets else [])
            found[""] += 1
        return found


def _index_facets(app) -> dict[int, list[str]]:
    with write_session(app) as s:
        table = "search_documents" if s.get_bind().dialect.name == "postgresql" else "search_meta"
        return {i: sorted(p for p in f.split(FACET_SEP) if p) for i, f in s.execute(text(f"SELECT entry_id, facets FROM {table}"))}


def _codes_of_index(app) -> dict[int, list[str]]:
    # Each index row's codes, read back through the codes table: they must name its facet pairs.
    with write_session(app) as s:
        table = "search_documents" if s.get_bind().dialect.name == "postgresql" else "search_meta"
        names = dict(s.execute(text("SELECT code, pair FROM search_facet_codes")).all())
        width = counts.CODE_DIGITS
        return {i: sorted(names[int(c[k:k + width], 16)] for k in range(0, len(c), width))
                for i, c in s.execute(text(f"SELECT entry_id, facet_codes FROM {table}"))}


def _random_fields(rng: random.Random) -> dict:
    return {name: rng.choice(values) for name, values in CHOICES.items()}


def test_kept_counts_follow_every_kind_of_change(app):
    rng = random.Random(20261128)
    slugs = []
    for step in range(120):
        roll = rng.random()
        if roll < 0.35 or not slugs:
            slugs.append(add_entry(app, f"lab/item-{step}", summary="words", **_random_fields(rng)))
        elif roll < 0.55:  # a harvest changes the facets
            add_entry(app, rng.choice(slugs), summary="words", **_random_fields(rng))
        elif roll < 0.65:  # a person edits them
            slug = rng.choice(slugs)
            with write_session(app) as s:
                entry = s.exec(select(Entry).where(Entry.slug == slug)).one()
                if not entry.hidden and entry.deleted_at is None:
                    edit_entry(s, slug=slug, actor=ADMIN, base_revision=entry.revision,
                               changes={"license": rng.choice(CHOICES["license"]), "region": rng.choice(["KE", ""])})
        elif roll < 0.85:
            with write_session(app) as s:
                set_hidden(s, slug=rng.choice(slugs), actor=ADMIN, hidden=rng.random() < 0.6, reason="moderation")
        elif roll < 0.95:
            slug = slugs.pop(rng.randrange(len(slugs)))
            with write_session(app) as s:
                purge_entry(s, slug=slug, actor=ADMIN, reason="leaked personal data")
        else:
            with write_session(app) as s:
                reindex(s)
        if step % 10 == 9:
            total, facets = _visible_counts(app)
            page = search(app, "")
            assert (page.total, page.facets) == (total, facets), f"after step {step}"
            assert _kept_rows(app) == _recount_of_index(app)
            assert _codes_of_index(app) == _index_facets(app)
    assert search(app, "").total > 0


def test_a_change_that_skips_the_index_still_leaves_the_counts(app):
    add_entry(app, "lab/one", kind="model", license="MIT")
    add_entry(app, "lab/two", kind="dataset", license="MIT")
    with write_session(app) as s:
        s.exec(select(Entry).where(Entry.slug == "lab/two")).one().hidden = True  # no record_change
    page = search(app, "")
    assert page.total == 1
    assert page.facets["kind"] == {"model": 1} and page.facets["license"] == {"MIT": 1}


def test_browsing_everything_does_not_read_every_entry(app):
    # Without the in-memory copy the kept counts answer it: with them wrong on purpose, browsing
    # shows them, so the numbers on the page come from the table and not from a scan of the index.
    add_entry(app, "lab/one", kind="model")
    with write_session(app) as s:
        s.execute(text("UPDATE search_facet_counts SET n = 7 WHERE pair = :p"), {"p": f"kind{PAIR_SEP}model"})
    database = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "twin",
                           "INSTANCE_PATH": app.instance_path + "-twin", "SEARCH_IN_MEMORY": False})
    try:
        assert search(database, "").facets["kind"] == {"model": 7}
        assert search(database, "", filters={"kind": ["model"]}).facets["kind"] == {"model": 1}  # a filter counts
    finally:
        get_engine(database).dispose()
    # The copy counts its own rows, which are right.
    assert search(app, "").facets["kind"] == {"model": 1}


def test_a_separator_inside_a_value_counts_nothing_extra(app):
    add_entry(app, "lab/one", kind="model")
    add_entry(app, "lab/two", kind="model", tasks=["a\x1f\x1fframework\x1ey", "\x1f"])
    page = search(app, "")
    assert page.total == 2 and page.facets["kind"] == {"model": 2}
    assert page.facets["framework"] == {} and page.facets["task"] == {"aframeworky": 1}
    assert search(app, "", filters={"task": ["aframeworky"]}).total == 1
    assert _kept_rows(app) == _recount_of_index(app)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(["kind\x1emodel", "language\x1esw", "language\x1ezh-Hans", "task\x1eocr",
                                          "license\x1eMIT", "region\x1eKE"]), unique=True), max_size=40),
       st.integers(1, 5))
def test_codes_count_every_pair_of_every_match_a_slice_at_a_time(app, facet_rows, chunk_codes):
    # Each list is one match's facet pairs; counting their joined codes gives what counting the
    # pairs themselves gives, however the joined string is sliced.
    expected = Counter(pair for row in facet_rows for pair in row)
    with write_session(app) as s:
        codes = counts.codes_for(s, set(expected))
        joined = "".join(counts.encode(FACET_SEP.join(row), codes) for row in facet_rows)
        default, counts.CODE_CHUNK = counts.CODE_CHUNK, counts.CODE_DIGITS * chunk_codes
        try:
            assert counts.count_codes(s, joined) == expected
        finally:
            counts.CODE_CHUNK = default


def test_a_pair_keeps_its_code_and_new_pairs_get_new_ones(app):
    add_entry(app, "lab/one", kind="model", license="MIT")
    with write_session(app) as s:
        before = dict(s.execute(text("SELECT pair, code FROM search_facet_codes")).all())
    add_entry(app, "lab/two", kind="dataset", license="MIT")
    with write_session(app) as s:
        reindex(s)
        after = dict(s.execute(text("SELECT pair, code FROM search_facet_codes")).all())
    assert {p: after[p] for p in before} == before
    assert after[f"kind{PAIR_SEP}dataset"] not in before.values()
    assert _codes_of_index(app) == _index_facets(app)


def test_counting_codes_refuses_what_it_cannot_read(app):
    with write_session(app) as s:
        with pytest.raises(ValueError, match="whole number"):
            counts.count_codes(s, "00000")
        with pytest.raises(LookupError, match="without a pair"):
            counts.count_codes(s, "fffffe")
