"""Properties of the sanitizer and of search snippets, for arbitrary text and for text built from the XSS
corpus: nothing raises, the sanitizer is idempotent (its output is a fixed point, so nothing that re-reads
clean HTML can find something new in it), and nothing live ever comes out."""
from __future__ import annotations

import html
import re

import pytest
from flask import render_template_string
from hypothesis import given, settings
from hypothesis import strategies as st

from registry import create_app
from registry.rendering import render_markdown, sanitize_html
from registry.search.snippets import best_snippet, highlight, plain_text
from registry.search.text import TOKEN, fold
from tests.security.xss_audit import live_markup
from tests.security.xss_payloads import FRAGMENTS, PAYLOADS

# Text made of the corpus: whole payloads, their pieces and a little noise, in any order.
_PIECES = st.sampled_from([p.text for p in PAYLOADS]) | st.sampled_from(FRAGMENTS) | st.text(max_size=4)
CORPUS_TEXT = st.lists(_PIECES, max_size=24).map("".join)
ANY_TEXT = st.text(max_size=400)
TEXTS = ANY_TEXT | CORPUS_TEXT

EXAMPLES = settings(max_examples=300, deadline=None)


@EXAMPLES
@given(TEXTS)
def test_rendered_markdown_is_a_fixed_point_of_the_sanitizer_and_inert(text):
    rendered = str(render_markdown(text))
    assert sanitize_html(rendered) == rendered
    assert live_markup(rendered) == []


@EXAMPLES
@given(TEXTS)
def test_sanitizing_any_html_is_idempotent_and_inert(text):
    once = sanitize_html(text)
    assert sanitize_html(once) == once
    assert live_markup(once) == []


@EXAMPLES
@given(st.lists(_PIECES, min_size=1, max_size=12))
def test_sanitizing_nested_documents_stays_inert(pieces):
    # Clean output pasted into more hostile text and sanitized again: still inert, still a fixed point.
    clean = sanitize_html("".join(pieces))
    again = sanitize_html(pieces[0] + clean + pieces[-1])
    assert sanitize_html(again) == again and live_markup(again) == []


@pytest.fixture(scope="module")
def snippet_app(tmp_path_factory):
    return create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "snippets",
                       "INSTANCE_PATH": str(tmp_path_factory.mktemp("snippets"))})


_SNIPPET = '{% from "_search_result.html" import snippet_text %}{{ snippet_text(snippet) }}'
_MARK = re.compile(r"</?mark>")


def _terms(text: str, extra: list[str]) -> list[str]:
    return sorted({fold(m.group()) for m in TOKEN.finditer(text)} | set(extra))


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.lists(st.sampled_from(["xsshit", "script", "onerror", "img", "svg", "a", "java", "<", "&"]),
                       max_size=3), st.integers(min_value=0, max_value=5))
def test_snippets_never_raise_and_render_only_marks(snippet_app, text, extra, take):
    """A search snippet of any text, with any of its own words as the query, is shown as escaped text with
    <mark> around the matches and no other markup; its words are exactly the text's."""
    terms = _terms(text, extra)[take:take + 3]
    best_snippet([(text, "en"), (plain_text(text), None)], terms)  # never raises
    snippet = highlight(plain_text(text), terms, prefixes=terms[:1])
    if snippet is None:
        return
    with snippet_app.test_request_context():
        shown = render_template_string(_SNIPPET, snippet=snippet)
    tags = re.findall(r"<[^>]*>", shown)
    assert all(_MARK.fullmatch(tag) for tag in tags), tags
    assert html.unescape(_MARK.sub("", shown)) == "".join(part for part, _hit in snippet.segments)
    assert shown.count("<mark>") == sum(1 for _part, hit in snippet.segments if hit)
