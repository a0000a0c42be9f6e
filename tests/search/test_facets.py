"""Facet counts equal a brute-force count over the visible entries, for random filter combinations."""
from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from registry.db import write_session
from registry.facets import facet_values
from registry.models import FACETS, Entry
from tests.helpers import add_entry
from tests.search.conftest import search

WORDS = ["quokka", "narwhal", "axolotl"]
CHOICES = {
    "kind": ["model", "dataset", "project"],
    "license": ["MIT", "Apache-2.0", "CC0-1.0", "MIT OR Apache-2.0"],
    "languages": [["sw"], ["zh-Hans"], ["sw", "en"], ["ar", "fr"], []],
    "tasks": [["translation"], ["summarization", "translation"], []],
    "region": ["KE", "CN", None],
    "frameworks": [["pytorch"], ["jax", "pytorch"], []],
}


@pytest.fixture
def random_registry(app):
    rng = random.Random(20261128)
    for n in range(30):
        fields = {name: rng.choice(values) for name, values in CHOICES.items()}
        add_entry(app, f"lab/item-{n}", name=f"Item {n}", summary=" ".join(rng.sample(WORDS, rng.randint(0, 2))),
                  **fields)
    with write_session(app) as s:
        for n, entry in enumerate(s.exec(select(Entry).order_by(Entry.id))):
            if n % 7 == 3:
                entry.hidden = True
            elif n % 11 == 5:
                entry.deleted_at = entry.updated_at
        entries = [(e.slug, e.summary, facet_values(e)) for e in s.exec(select(Entry)) if not e.hidden and not e.deleted_at]
    return app, entries


def _brute_force(entries, q: str, filters: dict[str, list[str]]):
    matched = {slug: rows for slug, summary, rows in entries
               if (not q or q in summary.split())
               and all(any((facet, v) in rows for v in values) for facet, values in filters.items())}
    counts = {f: Counter() for f in FACETS}
    for rows in matched.values():
        for facet, value in rows:
            counts[facet][value] += 1
    return sorted(matched), {f: dict(c) for f, c in counts.items()}


VALUES = {"kind": ["model", "dataset", "project"], "license": ["MIT", "Apache-2.0", "CC0-1.0"],
          "language": ["sw", "zh-Hans", "en", "ar", "fr"], "task": ["translation", "summarization"],
          "region": ["KE", "CN"], "framework": ["pytorch", "jax"]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters=st.dictionaries(st.sampled_from(sorted(VALUES)), st.none(), max_size=3).flatmap(
    lambda chosen: st.fixed_dictionaries({f: st.lists(st.sampled_from(VALUES[f]), min_size=1, max_size=2, unique=True)
                                          for f in chosen})),
       q=st.sampled_from([""] + WORDS))
def test_facet_counts_equal_a_brute_force_count(random_registry, filters, q):
    app, entries = random_registry
    page = search(app, q, filters=filters, per_page=100)
    slugs, counts = _brute_force(entries, q, filters)
    assert page.total == len(slugs)
    assert sorted(item.slug for item in page.items) == slugs
    assert page.facets == counts
    for facet in ("kind", "region"):  # single-valued: the counts add up to the total (region may be empty)
        assert sum(page.facets[facet].values()) <= page.total
    assert sum(page.facets["kind"].values()) == page.total
