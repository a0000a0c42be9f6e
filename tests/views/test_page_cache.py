"""Anonymous pages come from the per-process page cache, and are never stale: any committed write misses it."""
from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from registry import create_app
from registry.db import get_engine, write_session
from registry.models import Entry
from registry.page_cache import current_generation
from registry.services import Actor
from registry.services.editing import edit_entry
from tests.helpers import add_entry
from tests.views.conftest import text

PAGE = "/entries/lab/tagger"


def _cache(app):
    return app.extensions["registry_page_cache"]


def _edit_summary(app, summary: str) -> None:
    with write_session(app) as s:
        revision = s.exec(select(Entry.revision).where(Entry.slug == "lab/tagger")).one()
        edit_entry(s, slug="lab/tagger", actor=Actor("root", role="admin"), changes={"summary": summary},
                   base_revision=revision)


def test_a_second_anonymous_read_is_a_hit_and_identical(app, client, people):
    cache = _cache(app)
    first = client.get(PAGE)
    hits = cache.hits
    second = client.get(PAGE)
    assert second.status_code == 200 and cache.hits == hits + 1
    assert second.get_data() == first.get_data()
    # Headers are made afresh for every response, cached or not.
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert second.headers["ETag"] == first.headers["ETag"]
    assert client.get(PAGE, headers={"If-None-Match": second.headers["ETag"]}).status_code == 304


def test_an_edit_is_seen_on_the_very_next_read(app, client, people):
    assert "Tags words." in text(client.get(PAGE))
    client.get(PAGE)  # now cached
    _edit_summary(app, "Tags words in Yoruba.")
    assert "Tags words in Yoruba." in text(client.get(PAGE))
    # The browse page and the home page were cached before the edit too; neither is stale.
    _edit_summary(app, "Tags words in Hausa.")
    for path in ("/", "/entries", PAGE):
        client.get(path)
    _edit_summary(app, "Tags words in Igbo.")
    for path in ("/", "/entries", PAGE):
        assert "Tags words in Igbo." in text(client.get(path)), path


def test_a_new_entry_and_a_rolled_back_write(app, client, people):
    before = current_generation(app)
    client.get("/entries")
    add_entry(app, "lab/parser", name="Parser", summary="Parses sentences.", language="en")
    assert current_generation(app) == before + 1
    assert "Parser" in text(client.get("/entries"))
    # A unit of work that fails writes nothing, and does not count as a write.
    try:
        with write_session(app) as s:
            s.exec(select(Entry).where(Entry.slug == "lab/parser")).one().summary = "never saved"
            s.flush()
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    assert current_generation(app) == before + 1


def test_signed_in_pages_are_never_cached_nor_served_from_the_cache(app, client, people, auth):
    cache = _cache(app)
    client.get(PAGE)
    client.get(PAGE)
    auth("maint")
    hits = cache.hits
    html = text(client.get(PAGE))
    assert cache.hits == hits  # the cookie of a signed-in person skips the cache
    assert 'name="csrf_token"' in html or "maint" in html
    anonymous = app.test_client()
    assert "maint" not in text(anonymous.get(PAGE)).split("<main", 1)[0]


def test_each_language_gets_its_own_copy(app, client, people):
    add_entry(app, "lab/tafsiri", name="Tafsiri", summary="Hutafsiri maneno.", language="sw",
              translations={"en": {"name": "Translate", "summary": "Translates words."}})
    swahili = text(client.get("/entries/lab/tafsiri", headers={"Accept-Language": "sw"}))
    english = text(client.get("/entries/lab/tafsiri", headers={"Accept-Language": "en"}))
    assert 'lang="sw"' in swahili.split(">", 2)[1] or "Hutafsiri maneno." in swahili
    assert "Translates words." in english and "Translates words." not in swahili
    again = text(client.get("/entries/lab/tafsiri", headers={"Accept-Language": "sw"}))
    assert again == swahili


def test_size_bounds_the_cache_and_zero_turns_it_off(tmp_path, database_url):
    small = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "t",
                        "INSTANCE_PATH": str(tmp_path / "a"), "PAGE_CACHE_SIZE": 2})
    for n in range(4):
        small.test_client().get(f"/entries?page={n + 1}")
    assert len(_cache(small)._pages) == 2
    off = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "t",
                      "INSTANCE_PATH": str(tmp_path / "b"), "PAGE_CACHE_SIZE": 0})
    assert "registry_page_cache" not in off.extensions
    for engine in (get_engine(small), get_engine(off)):
        engine.dispose()


def test_a_database_without_the_counter_is_served_uncached(app, client, people):
    with get_engine(app).begin() as conn:
        conn.execute(sa.text("DROP TABLE page_generation"))
    assert current_generation(app) is None
    assert client.get(PAGE).status_code == 200 and client.get(PAGE).status_code == 200
    assert _cache(app).hits == 0
    # Writes still work: the counter is bumped only where it exists.
    _edit_summary(app, "Still editable.")
    assert "Still editable." in text(client.get(PAGE))


def test_a_reindex_alone_is_a_write(app, client, people, runner):
    # `reindex` writes only through SQL of its own (no ORM objects change); cached searches must still miss.
    before = current_generation(app)
    assert runner.invoke(args=["reindex"]).exit_code == 0
    assert current_generation(app) > before
