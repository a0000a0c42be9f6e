"""Descriptions rendered when written: every write stores the HTML its page shows, and pages read it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlmodel import select

from registry.db import alembic_config, get_engine, read_session, write_session
from registry.models import Entry, RenderedText
from registry.rendering import RENDERER_VERSION, render_markdown
from registry.services import OPERATOR
from registry.services.editing import edit_entry, purge_entry
from tests.helpers import add_entry


def _stored(app) -> dict[tuple[int, str], str]:
    with app.app_context():
        return {(r.entry_id, r.lang): r.html for r in read_session().exec(select(RenderedText))}


def _readme(client, slug: str, lang: str | None = None, **query) -> str:
    html = client.get(f"/entries/{slug}", query_string={"lang": lang, **query}).get_data(as_text=True)
    start = html.index('<section class="readme"')
    return html[start : html.index("</section>", start)]


def test_a_harvested_description_is_stored_rendered_and_an_edit_renders_it_again(app, client):
    add_entry(app, "lab/tagger", description="# Tagger\n\nTags **Swahili** text.")
    (key, html), = _stored(app).items()
    assert key[1] == "" and html == str(render_markdown("# Tagger\n\nTags **Swahili** text."))
    assert "<strong>Swahili</strong>" in _readme(client, "lab/tagger")

    with write_session(app) as session:
        revision = session.exec(select(Entry.revision)).one()
        edit_entry(session, slug="lab/tagger", actor=OPERATOR, changes={"description": "Now for *Zulu*."},
                   base_revision=revision)
    assert _stored(app) == {key: str(render_markdown("Now for *Zulu*."))}
    readme = _readme(client, "lab/tagger")
    assert "<em>Zulu</em>" in readme and "Swahili" not in readme


def test_translations_are_stored_rendered_and_dropped_with_them(app, client):
    fr = {"name": "Étiqueteur", "summary": "", "description": "## Bonjour\n\nUn *étiqueteur*.", "origin": "README.fr.md"}
    add_entry(app, "lab/tagger", description="Hello", language="en", translations={"fr": fr})
    assert {lang for _, lang in _stored(app)} == {"", "fr"}
    assert "<em>étiqueteur</em>" in _readme(client, "lab/tagger", "fr")

    add_entry(app, "lab/tagger", description="Hello", language="en")  # the next harvest no longer finds it
    assert {lang for _, lang in _stored(app)} == {""}
    assert "Hello" in _readme(client, "lab/tagger", "fr")


def test_the_page_shows_the_stored_rendering_unless_an_older_renderer_wrote_it(app, client):
    add_entry(app, "lab/tagger", description="Plain *text*.")
    with write_session(app) as session:
        row = session.exec(select(RenderedText)).one()
        row.html = "<p>as stored</p>"
    assert "as stored" in _readme(client, "lab/tagger")  # read, not rendered again on every view

    with write_session(app) as session:
        session.exec(select(RenderedText)).one().renderer = RENDERER_VERSION - 1
    readme = _readme(client, "lab/tagger", again=1)  # (this write went around the page cache's counter)
    assert "as stored" not in readme and "<em>text</em>" in readme


def test_a_purged_entry_takes_its_renderings_with_it(app):
    add_entry(app, "lab/tagger", description="Secret *key*", translations={
        "fr": {"name": "", "summary": "", "description": "Clé", "origin": "README.fr.md"}})
    with write_session(app) as session:
        purge_entry(session, slug="lab/tagger", actor=OPERATOR, reason="leaked key")
    assert _stored(app) == {}


def test_the_migration_renders_the_descriptions_already_stored(app):
    add_entry(app, "lab/one", description="**One**")
    add_entry(app, "lab/two", description="", translations={
        "sw": {"name": "", "summary": "", "description": "*Mbili*", "origin": "README.sw.md"}})
    before = _stored(app)
    command.downgrade(alembic_config(app), "0011@-1")
    assert "rendered_texts" not in sa.inspect(get_engine(app)).get_table_names()
    command.upgrade(alembic_config(app), "heads")
    assert _stored(app) == before and len(before) == 2
