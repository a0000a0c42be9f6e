"""Every page renders in each of the eight interface languages with no English interface string left.

The interface text of a page is what is not marked as content in another language: entries,
collections and communities carry `lang="…"` on their own text, and that is left out. A
string counts as untranslated when a sentence of the English catalog shows up in the
interface text of a page in another language.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from registry.db import write_session
from registry.extensions import UI_LANGUAGES
from registry.services import Actor
from registry.services.collection_items import add_item
from registry.services.collection_translations import submit_collection_translation
from registry.services.collections import create_collection
from registry.services.communities import create_community, request_join
from registry.services.users import create_user
from tests.helpers import add_entry
from tests.i18n.test_catalogs import TRANSLATIONS
from tests.views.conftest import PASSWORD, post_form

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIPPED = {"script", "style", "code", "pre"}
ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")
PUBLIC = ["/", "/entries", "/entries?q=maneno", "/entries?kind=model&language=sw", "/entries/lab/tagger",
          "/entries/lab/tagger?lang=en", "/collections", "/collections/kit", "/communities",
          "/communities/swahili-nlp", "/coverage", "/login", "/register", "/reset", "/nowhere"]
SIGNED_IN = ["/account", "/review", "/submit", "/collections/new", "/communities/new", "/collections/kit/curate",
             "/collections/kit/translate", "/communities/swahili-nlp", "/entries/lab/tagger",
             "/entries/lab/tagger/edit", "/entries/lab/tagger/translate", "/entries/lab/tagger/history",
             "/entries/lab/tagger/claim"]


class InterfaceText(HTMLParser):
    """Collect the text a reader sees in the interface language (content in other languages left out)."""

    def __init__(self, ui: str):
        super().__init__(convert_charrefs=True)
        self.ui = ui
        self.stack: list[tuple[str, str | None, bool]] = []
        self.parts: list[str] = []

    def _visible(self) -> bool:
        lang = next((lang for _tag, lang, _skip in reversed(self.stack) if lang is not None), self.ui)
        return lang.split("-")[0] == self.ui and not any(skip for *_rest, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag not in VOID:
            self.stack.append((tag, values.get("lang") or None, tag in SKIPPED))
        if self._visible():
            self.parts.extend(values[a] for a in ATTRIBUTES if values.get(a))
            if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
                self.parts.append(values["value"])

    def handle_endtag(self, tag):
        for n in range(len(self.stack) - 1, -1, -1):
            if self.stack[n][0] == tag:
                del self.stack[n:]
                break

    def handle_data(self, data):
        if self._visible():
            self.parts.append(data)

    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.parts))


def _english_sentences(lang: str) -> list[str]:
    """Pieces of the English strings (between placeholders) long enough to be unmistakable."""
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh, locale=lang)
    pieces = set()
    for message in catalog:
        if not message.id:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        for source in ids:
            if source in strings:
                continue  # the same words in this language (API, JSON API)
            for piece in re.split(r"%\([a-z_]+\)[sd]|\n", source):
                piece = piece.strip(" .:;,()“”\"'·—-")
                if len(piece) >= 12 and " " in piece:
                    pieces.add(piece)
    return sorted(pieces, key=len, reverse=True)


@pytest.fixture
def world(app):
    """An entry with a translation, a community with a join request, a collection with a translation."""
    add_entry(app, "lab/tagger", name="Kitambulishi", summary="Hutambua maneno.", language="sw", kind="model",
              languages=["sw"], license="MIT", region="KE", description="# Kitambulishi\n\nManeno ya Kiswahili.\n",
              translations={"en": {"name": "Tagger", "summary": "Tags words.", "description": "",
                                   "origin": "README.en.md"}})
    with write_session(app) as s:
        ana = create_user(s, name="ana", email="ana@example.org", password=PASSWORD, role="moderator")
        ben = create_user(s, name="ben", email="ben@example.org", password=PASSWORD)
        curator = Actor(name="ana", role="moderator", user_id=ana.id)
        create_community(s, actor=curator, name="Swahili NLP", description="Jumuiya ya lugha.", languages=["sw"])
        request_join(s, slug="swahili-nlp", actor=Actor(name="ben", user_id=ben.id), message="Habari")
        create_collection(s, actor=curator, title="Kifurushi", slug="kit", language="sw", community="swahili-nlp")
        add_item(s, slug="kit", actor=curator, entry="lab/tagger", note="Nzuri sana", group="Msingi")
        submit_collection_translation(s, slug="kit", actor=Actor(name="ben", user_id=ben.id), lang="fr",
                                      text={"title": "Trousse"})


def _check(client, path: str, lang: str, english: list[str]) -> list[str]:
    joiner = "&" if "?" in path else "?"
    resp = client.get(f"{path}{joiner}ui={lang}")
    page = resp.get_data(as_text=True)
    problems = []
    if resp.status_code != (404 if path == "/nowhere" else 200):
        return [f"{path}: status {resp.status_code}"]
    direction = "rtl" if lang == "ar" else "ltr"
    if f'<html lang="{lang}" dir="{direction}">' not in page:
        problems.append(f"{path}: <html> is not lang={lang} dir={direction}")
    parser = InterfaceText(lang)
    parser.feed(page)
    seen = html.unescape(parser.text())
    problems += [f"{path}: untranslated “{piece}”" for piece in english if piece in seen]
    return problems


@pytest.mark.parametrize("lang", sorted(UI_LANGUAGES))
def test_every_page_speaks_the_interface_language(app, client, world, lang):
    english = [] if lang == "en" else _english_sentences(lang)
    problems = []
    for path in PUBLIC:
        problems += _check(client, path, lang, english)
    resp = post_form(client, "/login", {"name": "ana", "password": PASSWORD})
    assert resp.status_code == 302
    for path in SIGNED_IN:
        problems += _check(client, path, lang, english)
    assert not problems, "\n".join(problems[:20])
