"""Community, collection and coverage pages; content in the reader's language; interface language choice."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from registry.db import write_session
from registry.services import Actor
from registry.services.collection_items import add_item
from registry.services.collection_translations import submit_collection_translation
from registry.services.collections import create_collection
from registry.services.communities import create_community
from registry.services.users import create_user
from tests.helpers import add_entry
from tests.views.conftest import PASSWORD, csrf_token, post_form, text


@pytest.fixture
def crowd(app):
    """Accounts: ana starts a community, ben is an outsider; two entries to collect."""
    add_entry(app, "lab/tagger", name="Tagger", summary="Tags words.", language="en", languages=["sw"], kind="model",
              region="KE")
    add_entry(app, "lab/corpus", name="Corpus", summary="Words.", language="en", languages=["sw"], kind="dataset")
    ids = {}
    with write_session(app) as s:
        for name in ("ana", "ben"):
            ids[name] = create_user(s, name=name, email=f"{name}@example.org", password=PASSWORD).id
    return ids


def test_start_a_community_and_answer_a_join_request(client, crowd, auth):
    assert client.get("/communities/new").status_code == 302  # sign in first
    auth("ana")
    resp = post_form(client, "/communities/new", {"name": "Swahili NLP", "description": "Lugha yetu.",
                                                  "region": "Kenya", "languages": "sw, en"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/communities/swahili-nlp")
    bad = post_form(client, "/communities/new", {"name": "Bad", "languages": "not a tag!"})
    assert bad.status_code == 422 and "not a language tag" in text(bad)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})

    auth("ben")
    page = "/communities/swahili-nlp"
    assert "Ask to join" in text(client.get(page))
    assert post_form(client, page, {"message": "Habari"}, action=f"{page}/join").status_code == 302
    assert "waiting for a curator" in text(client.get(page))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})

    auth("ana")
    html = text(client.get(page))
    assert "Join requests" in html and "Habari" in html
    assert post_form(client, page, {"action": "approve"}, action=f"{page}/members/ben").status_code == 302
    assert post_form(client, page, {"role": "curator"}, action=f"{page}/members/ben").status_code == 302
    html = text(client.get(page))
    assert "2 members" in html and "Join requests" not in html
    assert 'lang="sw">Kiswahili</a>' in html  # language names in their own script


def test_collection_pages_curation_and_the_entry_pages_add_form(client, crowd, auth, app):
    auth("ana")
    resp = post_form(client, "/collections/new", {"title": "Kiswahili kit", "language": "sw", "owner": "",
                                                  "visibility": "public"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/collections/kiswahili-kit")
    entry_page = "/entries/lab/tagger"
    assert 'action="/collections/add"' in text(client.get(entry_page))
    added = post_form(client, entry_page, {"collection": "kiswahili-kit", "entry": "lab/tagger",
                                           "note": "Nzuri sana", "next": entry_page}, action="/collections/add")
    assert added.status_code == 302 and added.headers["Location"].endswith(entry_page)
    curate = "/collections/kiswahili-kit/curate"
    post_form(client, curate, {"entry": "lab/corpus", "group": "Data", "note": ""},
              action="/collections/kiswahili-kit/items")
    html = text(client.get("/collections/kiswahili-kit"))
    assert "Nzuri sana" in html and "Tagger" in html and '<h2 id="group-' in html and "Corpus" in html
    assert 'href="/collections/kiswahili-kit"' in text(client.get(entry_page))  # "in collections" on the entry

    item_id = re.search(r'id="item-(\d+)"', text(client.get(curate))).group(1)
    assert post_form(client, curate, {"action": "remove"},
                     action=f"/collections/kiswahili-kit/items/{item_id}").status_code == 302
    assert "Nzuri sana" not in text(client.get("/collections/kiswahili-kit"))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    auth("ben")
    assert client.get(curate).status_code == 403
    assert 'action="/collections/add"' not in text(client.get(entry_page))


def test_a_collection_speaks_the_readers_language_with_hreflang_and_a_feed(client, app, crowd):
    with write_session(app) as s:
        ana = Actor(name="ana", user_id=crowd["ana"])
        create_collection(s, actor=ana, title="语音资源", slug="speech", language="zh-Hans", description="普通话。")
        add_item(s, slug="speech", actor=ana, entry="lab/tagger", note="很好")
        submit_collection_translation(s, slug="speech", actor=ana, lang="en",
                                      text={"title": "Speech resources", "description": "Mandarin."})
    english = text(client.get("/collections/speech", headers={"Accept-Language": "en"}))
    chinese = text(client.get("/collections/speech", headers={"Accept-Language": "zh-CN,zh"}))
    assert "<h1" in english and "Speech resources</h1>" in english and "Translation by the curators" in english
    assert 'href="/collections/speech?lang=zh-Hans"' in english  # a link to the original
    assert "语音资源</h1>" in chinese and "Translation by the curators" not in chinese
    for html in (english, chinese):
        assert 'hreflang="zh-Hans" href="http://localhost/collections/speech?lang=zh-Hans"' in html
        assert 'hreflang="en" href="http://localhost/collections/speech?lang=en"' in html
    assert "Speech resources</h1>" in text(client.get("/collections/speech?lang=en",
                                                      headers={"Accept-Language": "zh"}))
    feed = client.get("/collections/speech/feed.atom")
    assert feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.find("a:title", ns).text == "语音资源"
    assert [e.find("a:summary", ns).text for e in root.findall("a:entry", ns)] == ["很好"]
    assert client.get("/collections/nothing").status_code == 404


def test_an_entry_shows_the_readers_language_and_links_every_version(client, app):
    add_entry(app, "bj/asr", name="普通话语音识别", summary="轻量级模型。", language="zh-Hans",
              translations={"en": {"name": "Mandarin ASR", "summary": "A small model.", "description": "",
                                   "origin": "README_EN.md"}})
    english = text(client.get("/entries/bj/asr", headers={"Accept-Language": "en-US,en"}))
    chinese = text(client.get("/entries/bj/asr", headers={"Accept-Language": "zh-CN"}))
    assert "Mandarin ASR</h1>" in english and "harvested from the repository" in english
    assert 'href="?lang=zh-Hans" hreflang="zh-Hans">Read the original in 中文（简体）</a>' in english
    assert "普通话语音识别</h1>" in chinese and "translation-origin" not in chinese
    for html in (english, chinese):
        assert '<link rel="alternate" hreflang="zh-Hans" href="http://localhost/entries/bj/asr?lang=zh-Hans">' in html
        assert '<link rel="alternate" hreflang="en" href="http://localhost/entries/bj/asr?lang=en">' in html
    assert "普通话语音识别</h1>" in text(client.get("/entries/bj/asr?lang=zh-Hans", headers={"Accept-Language": "en"}))
    assert client.get("/api/v1/entries/bj/asr?lang=en").get_json()["name"] == "Mandarin ASR"


def test_interface_language_preference_cookie_and_browser(client, app, crowd, auth):
    def ui(**headers):
        return re.search(r'<html lang="([^"]+)"', text(client.get("/", headers=headers))).group(1)

    assert ui() == "en" and ui(**{"Accept-Language": "sw-KE,sw;q=0.9"}) == "sw"
    client.get("/?ui=fr")  # the anonymous switcher sets a cookie
    assert ui(**{"Accept-Language": "sw"}) == "fr"
    auth("ana")
    back = client.post("/language", data={"csrf_token": csrf_token(client, "/"), "ui": "ar", "next": "/coverage"})
    assert back.status_code == 302 and back.headers["Location"].endswith("/coverage")
    client.delete_cookie("ui_lang")
    assert ui(**{"Accept-Language": "zh"}) == "ar"  # the saved preference beats the browser
    html = text(client.get("/"))
    assert '<html lang="ar" dir="rtl">' in html and 'action="/language"' in html


def test_coverage_draws_charts_and_lists_the_gaps(client, app, crowd):
    with write_session(app) as s:
        founder = Actor(name="ana", user_id=crowd["ana"])
        create_community(s, actor=founder, name="Wolof tech", languages=["wo"])
    add_entry(app, "dk/clavier", name="Clavier", language="fr", languages=["wo"], kind="project")
    html = text(client.get("/coverage"))
    assert html.count("<svg") == 3 and 'href="/entries?language=sw"' in html and 'class="bar-model"' in html
    assert 'href="/entries?region=KE"' in html and ">Kenya</text>" in html
    gaps = html[html.index('id="gaps-h"'):]
    assert 'href="/entries?language=wo"' in gaps and 'href="/communities?language=wo"' in gaps
    assert 'href="/entries?language=sw"' not in gaps  # Swahili has a model and a dataset
    arabic = text(client.get("/coverage", headers={"Accept-Language": "ar"}))
    assert 'text-anchor="start" class="chart-label"' in arabic and 'dir="rtl"' in arabic
