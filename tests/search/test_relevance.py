"""Relevance: the obviously right entry comes first, whatever script the query is in."""
from __future__ import annotations

import pytest

from tests.helpers import add_entry
from tests.search.conftest import search, slugs


@pytest.mark.parametrize("q, expected", [
    ("语", "beijing/mandarin-asr"),               # Chinese, 1 character
    ("情感", "shanghai/zh-sentiment"),            # Chinese, 2 characters
    ("语音识别", "beijing/mandarin-asr"),          # Chinese, 4 characters
    ("数据", "shanghai/zh-sentiment"),
    ("要約", "tokyo/summarizer"),                 # Japanese, kanji
    ("ニュース", "tokyo/summarizer"),              # Japanese, katakana
    ("اللهجة", "cairo/dialect-id"),              # Arabic
    ("اللهجات العربية", "cairo/dialect-id"),
    ("देवनागरी", "pune/hindi-ocr"),               # Hindi
    ("ओसीआर", "pune/hindi-ocr"),
    ("hisia", "nairobi/sw-sentiment"),           # Swahili
    ("uchambuzi wa hisia", "nairobi/sw-sentiment"),
    ("etiquetador", "mexico/etiquetador"),       # Spanish
    ("morfologico", "mexico/etiquetador"),       # Spanish, typed without the accent
    ("gramaticales español", "mexico/etiquetador"),
    ("transformer", "acme/transformer-tiny"),    # English
    ("speech recordings", "acme/speech-corpus"),
    ("阅读器", "lab/reader"),                     # a Chinese translation of an English entry
    ("document reader", "lab/reader"),
])
def test_the_right_entry_comes_first(multilingual, q, expected):
    found = slugs(multilingual, q)
    assert found and found[0] == expected, (q, found)


def test_one_character_chinese_query_finds_only_entries_containing_it(multilingual):
    assert set(slugs(multilingual, "阅")) == {"lab/reader"}


def test_a_phrase_needs_its_words_together(multilingual):
    assert slugs(multilingual, '"speech recordings"') == ["acme/speech-corpus"]
    assert slugs(multilingual, '"recordings speech"') == []


def test_prefix_search(multilingual):
    assert slugs(multilingual, "transf*")[0] == "acme/transformer-tiny"
    assert "mexico/etiquetador" in slugs(multilingual, "etiqueta*")


@pytest.mark.parametrize("q, expected", [
    ("transfomer", "acme/transformer-tiny"),   # a letter left out
    ("transfromer", "acme/transformer-tiny"),  # two letters swapped
    ("recordimgs", "acme/speech-corpus"),      # a wrong letter
    ("etiquetadorr", "mexico/etiquetador"),    # one letter too many
])
def test_one_typo_in_a_long_word_still_finds_it(multilingual, q, expected):
    page = search(multilingual, q)
    assert page.items and page.items[0].slug == expected
    assert page.relaxed


def test_part_of_a_word_finds_it_when_nothing_matches_exactly(multilingual):
    assert "acme/transformer-tiny" in slugs(multilingual, "former")


@pytest.mark.parametrize("q, expected", [
    ("kiswahili", "nairobi/sw-sentiment"), ("Swahili", "nairobi/sw-sentiment"),
    ("中文", "beijing/mandarin-asr"), ("Chinese", "beijing/mandarin-asr"),
    ("العربية", "cairo/dialect-id"), ("Arabic", "cairo/dialect-id"),
    ("हिन्दी", "pune/hindi-ocr"), ("japonés", "tokyo/summarizer"), ("日本語", "tokyo/summarizer"),
])
def test_a_language_named_in_any_language_matches_entries_in_it(multilingual, q, expected):
    page = search(multilingual, q)
    assert expected in [i.slug for i in page.items], q
    assert page.languages


def test_language_name_combines_with_other_words(multilingual):
    # "speech" AND (mentions Swahili OR works with Swahili)
    assert slugs(multilingual, "kiswahili speech") == ["acme/speech-corpus"]
    # The Chinese entry says 语音 in its text, but its task is automatic-speech-recognition.
    assert slugs(multilingual, "Chinese speech") == ["beijing/mandarin-asr"]
    assert slugs(multilingual, "Japanese speech") == []
    assert slugs(multilingual, "中文 语音") == ["beijing/mandarin-asr"]


def test_exact_name_match_ranks_first(app):
    add_entry(app, "a/long", name="Speech Tools Collection", summary="speech speech speech tools for speech")
    add_entry(app, "b/exact", name="Speech", summary="A model.")
    assert slugs(app, "speech")[0] == "b/exact"
    assert slugs(app, "SPEECH")[0] == "b/exact"


def test_name_outweighs_description(app):
    add_entry(app, "a/desc", name="Toolkit", summary="Utilities.", description="Mentions the tokenizer once.")
    add_entry(app, "b/name", name="Tokenizer Pro", summary="Utilities.")
    assert slugs(app, "tokenizer") == ["b/name", "a/desc"]


def test_summary_outweighs_description(app):
    add_entry(app, "a/desc", name="One", summary="Nothing here.", description="About diarization.")
    add_entry(app, "b/summary", name="Two", summary="Speaker diarization.", description="Nothing here.")
    assert slugs(app, "diarization") == ["b/summary", "a/desc"]


def test_excluded_words(multilingual):
    assert "acme/speech-corpus" not in slugs(multilingual, "speech -swahili")
    assert "acme/speech-corpus" in slugs(multilingual, "speech -klingon")


def test_or_between_words(multilingual):
    assert set(slugs(multilingual, "hisia OR morfologico")) == {"nairobi/sw-sentiment", "mexico/etiquetador"}


def test_tags_authors_and_slug_are_searchable(app):
    add_entry(app, "quokka-lab/thing", name="Thing", tags=["diffusion"], authors=[{"name": "Amina Wanjiru"}])
    assert slugs(app, "diffusion") == ["quokka-lab/thing"]
    assert slugs(app, "wanjiru") == ["quokka-lab/thing"]
    assert slugs(app, "quokka") == ["quokka-lab/thing"]


def test_relevance_is_the_default_order_with_a_query_and_sort_still_applies(multilingual):
    by_name = [i.name for i in search(multilingual, "model", sort="name").items]
    assert by_name == sorted(by_name, key=str.lower)
