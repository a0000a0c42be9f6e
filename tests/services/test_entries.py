"""Reading entries: filters, facets, pagination, translations, hidden entries, private paths."""
from __future__ import annotations

import pytest
from sqlmodel import select
from werkzeug.datastructures import MultiDict

from registry.db import read_session, write_session
from registry.errors import BadRequest, NotFound
from registry.models import Entry
from registry.services import Actor
from registry.services.entries import get_entry
from registry.services.listing import EntryQuery, list_entries, parse_entry_query
from tests.helpers import add_entry


@pytest.fixture
def filled(app):
    add_entry(app, "lab/sw-model", kind="model", license="MIT", languages=["sw"], language="en")
    add_entry(app, "lab/zh-data", kind="dataset", license="CC0-1.0", languages=["zh-Hans"], language="zh-Hans")
    add_entry(app, "lab/dual", kind="model", license="MIT OR Apache-2.0", languages=["sw", "en"], language="en")
    add_entry(app, "lab/tool", kind="project", license="Apache-2.0", languages=["ar"], language="ar")
    return app


def _list(app, **kw):
    with app.app_context():
        return list_entries(read_session(), query=EntryQuery(**kw))


def test_filters_or_within_and_across_facets(filled):
    page = _list(filled, filters={"kind": ["model"], "license": ["Apache-2.0", "CC0-1.0"]})
    assert [i.slug for i in page.items] == ["lab/dual"]
    page = _list(filled, filters={"license": ["MIT"]})
    assert {i.slug for i in page.items} == {"lab/sw-model", "lab/dual"}


def test_facet_counts_match_the_filtered_set(filled):
    page = _list(filled, filters={"language": ["sw"]})
    assert page.total == 2
    assert page.facets["kind"] == {"model": 2}
    assert page.facets["license"] == {"MIT": 2, "Apache-2.0": 1}
    assert set(page.facets) == {"kind", "license", "language", "task", "region", "framework"}
    assert sum(page.facets["kind"].values()) == page.total


def test_pagination_and_sort_by_name(filled):
    first = _list(filled, sort="name", per_page=3, page=1)
    second = _list(filled, sort="name", per_page=3, page=2)
    assert first.total == 4 and first.pages == 2
    names = [i.name for i in first.items + second.items]
    assert names == sorted(names, key=str.lower)


def test_text_query_matches_name_and_translations(filled):
    add_entry(filled, "lab/kiswahili", name="Sentiment", summary="Tweets", translations={
        "zh-Hans": {"name": "情感分析", "summary": "斯瓦希里语推文", "description": "", "origin": "README_zh.md"}})
    assert [i.slug for i in _list(filled, q="情感").items] == ["lab/kiswahili"]
    assert [i.slug for i in _list(filled, q="DUAL").items] == ["lab/dual"]
    assert _list(filled, q="%_\\").total == 0


def test_hidden_and_deleted_entries_are_never_listed_or_counted(filled):
    with write_session(filled) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "lab/dual")).one()
        entry.hidden = True
    page = _list(filled)
    assert "lab/dual" not in {i.slug for i in page.items}
    assert page.total == 3 and page.facets["kind"]["model"] == 1
    with filled.app_context(), pytest.raises(NotFound):
        get_entry(read_session(), slug="lab/dual", actor=None)


def test_lang_puts_the_translation_in_the_text_fields(filled):
    add_entry(filled, "lab/bilingual", name="Reader", summary="English summary", language="en", translations={
        "ar": {"name": "القارئ", "summary": "ملخص عربي", "description": "# القارئ", "origin": "README.ar.md"}})
    with filled.app_context():
        plain = get_entry(read_session(), slug="lab/bilingual", actor=None)
        arabic = get_entry(read_session(), slug="lab/bilingual", actor=None, lang="ar")
        missing = get_entry(read_session(), slug="lab/bilingual", actor=None, lang="ja")
    assert plain.name == "Reader" and arabic.name == "القارئ" and arabic.summary == "ملخص عربي"
    assert missing.name == "Reader"
    assert arabic.translations["ar"].origin == "harvested"


def test_local_source_path_is_shown_to_admins_only(app):
    add_entry(app, "acme/local", source_url="/srv/private/acme/local")
    with app.app_context():
        anon = get_entry(read_session(), slug="acme/local", actor=None)
        user = get_entry(read_session(), slug="acme/local", actor=Actor("amina"))
        admin = get_entry(read_session(), slug="acme/local", actor=Actor("root", role="admin"))
    assert anon.source_url is None and user.source_url is None
    assert admin.source_url == "/srv/private/acme/local"


@pytest.mark.parametrize("args, parameter", [
    ({"per_page": "101"}, "per_page"), ({"per_page": "0"}, "per_page"), ({"page": "x"}, "page"),
    ({"sort": "random"}, "sort"),
])
def test_bad_list_parameters_are_refused_clearly(args, parameter):
    with pytest.raises(BadRequest) as err:
        parse_entry_query(MultiDict(args))
    assert err.value.details == {"parameter": parameter}
