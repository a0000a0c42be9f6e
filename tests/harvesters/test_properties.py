"""Parsers meet text written by strangers: whatever it is, they answer and never raise."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harvesters.formats.license import NOASSERTION, detect_spdx_license
from harvesters.formats.readme import SUMMARY_LIMIT, parse_readme, translation_tag
from harvesters.language import detect_language, normalize_tag
from harvesters.slugs import slug_from_source
from harvesters.textdecode import decode_text

# Pieces of Markdown, HTML and YAML that steer the parsers into their less common paths.
FRAGMENTS = st.sampled_from([
    "# ", "## ", "\n", "\n\n", "---\n", "===\n", "```", "~~~", "    ", "> ", "- ", "1. ", "| a | b |\n",
    "[", "]", "(", ")", "![", "<a href='x'>", "</a>", "<h1>", "</h1>", "<img src=x>", "<!--", "-->", "`",
    "**", "_", "\\", "&amp;", "https://x.org", " | ", "·", "[!NOTE]", "key: [", "..", "Copyright (c) 2024",
    "any later version", "Permission is hereby granted", "模型", "نموذج", "😀", "\x00", "\r",
])
MARKDOWNISH = st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=60).map("".join)
TEXT = st.one_of(st.text(), MARKDOWNISH)
RELAXED = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)


@RELAXED
@given(TEXT, st.booleans())
def test_parse_readme_never_raises(text, rst):
    parsed = parse_readme(text, rst=rst)
    assert set(parsed) == {"title", "summary", "description", "front_matter", "warnings"}
    assert parsed["summary"] is None or len(parsed["summary"]) <= SUMMARY_LIMIT
    assert isinstance(parsed["front_matter"], dict)


@RELAXED
@given(TEXT)
def test_detect_spdx_license_never_raises(text):
    spdx, warnings = detect_spdx_license(text)
    assert isinstance(spdx, str) and spdx
    assert warnings if spdx == NOASSERTION else not warnings


@RELAXED
@given(st.binary())
def test_decode_text_never_raises(data):
    assert decode_text(data) is None or isinstance(decode_text(data), str)


@RELAXED
@given(st.text(max_size=40))
def test_tags_slugs_and_language_never_raise(text):
    normalize_tag(text)
    translation_tag(text)
    assert "/" in slug_from_source("https://github.com/" + text)
    detect_language(text)
