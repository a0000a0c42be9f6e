"""Parsers meet text written by strangers: whatever it is, they answer and never raise."""
import contextlib
import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from harvesters.formats.cff import apply_cff, parse_citation_cff
from harvesters.formats.codemeta import apply_codemeta, parse_codemeta
from harvesters.formats.common import FormatError
from harvesters.formats.croissant import apply_croissant, parse_croissant
from harvesters.formats.datapackage import apply_datapackage, parse_datapackage
from harvesters.formats.html_meta import parse_html
from harvesters.formats.license import NOASSERTION, detect_spdx_license
from harvesters.formats.manifests import (
    apply_package_json,
    apply_pyproject,
    apply_setup_cfg,
    parse_package_json,
    parse_pyproject,
    parse_setup_cfg,
)
from harvesters.formats.model_card import apply_card
from harvesters.formats.readme import SUMMARY_LIMIT, parse_readme, translation_tag
from harvesters.language import detect_language, normalize_tag
from harvesters.links import file_url_builder, rewrite_relative_links
from harvesters.merge import settle
from harvesters.names import countries_named, languages_named, text_language
from harvesters.record import HarvestedRecord
from harvesters.slugs import slug_from_source
from harvesters.spdx import normalize_license
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


# --- metadata formats: each parser raises only FormatError; applying any parsed value never raises ----------


KEYS = st.sampled_from([
    "@context", "@type", "@graph", "@id", "@value", "@language", "name", "title", "description", "abstract",
    "version", "license", "licenses", "licenseId", "author", "authors", "agents", "creator", "contributors",
    "given-names", "family-names", "givenName", "familyName", "orcid", "affiliation", "keywords", "tags",
    "language", "languages", "inLanguage", "url", "homepage", "codeRepository", "repository-code", "identifier",
    "doi", "identifiers", "preferred-citation", "type", "role", "roles", "programmingLanguage", "pipeline_tag",
    "library_name", "base_model", "base_model_relation", "datasets", "model-index", "results", "metrics",
    "task_categories", "size_categories", "pretty_name", "source_datasets", "license_name", "license_link",
    "project", "tool", "poetry", "classifiers", "dependencies", "urls", "metadata", "options", "recordSet",
    "field", "distribution", "conformsTo", "resources", "path", "value", "task", "dataset", "cff-version",
])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30),
                    st.sampled_from(["MIT", "apache-2.0", "other", "https://spdx.org/licenses/MIT",
                                     "0000-0002-1825-0097", "10.5281/zenodo.1", "sw", "Swahili", "Dataset",
                                     "SoftwareSourceCode", "adapter", "kenya", "http://mlcommons.org/croissant/1.0"]),
                    st.dates())
JSONISH = st.recursive(SCALARS, lambda children: st.lists(children, max_size=4) |
                       st.dictionaries(st.one_of(KEYS, st.text(max_size=8)), children, max_size=6), max_leaves=30)
TEXT_PARSERS = [parse_citation_cff, parse_codemeta, parse_datapackage, parse_croissant, parse_pyproject,
                parse_setup_cfg, parse_package_json]


def _json_text(value):
    return json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, dt.date) else str(v))


@pytest.mark.parametrize("parse", TEXT_PARSERS, ids=lambda f: f.__name__)
@RELAXED
@given(source=st.one_of(TEXT, JSONISH.map(_json_text)))
def test_metadata_parsers_raise_only_their_documented_error(parse, source):
    with contextlib.suppress(FormatError):
        parse(source)


def _record():
    return HarvestedRecord(source_url="https://github.com/a/b", source_kind="git", slug_hint="a/b", commit="c" * 40)


APPLIERS = [apply_card, apply_cff, apply_codemeta, apply_datapackage, apply_croissant, apply_pyproject,
            apply_package_json]


@pytest.mark.parametrize("apply", APPLIERS, ids=lambda f: f.__name__)
@RELAXED
@given(doc=st.dictionaries(KEYS, JSONISH, max_size=8))
def test_applying_any_metadata_then_merging_never_raises(apply, doc):
    record = _record()
    apply(doc, record, origin="file")
    record.offer("summary", "A sample summary of a sample project for tests.", origin="README.md", rank=20, lang="en")
    settle(record, fallback_name="b")
    assert isinstance(record.fields["name"], str) and record.fields["kind"] in ("model", "dataset", "project")
    json.dumps(record.fields)  # everything harvested is storable as JSON


@RELAXED
@given(sections=st.dictionaries(st.sampled_from(["metadata", "options", "x"]),
                                st.dictionaries(st.sampled_from(["name", "version", "license", "author", "keywords",
                                                                 "classifiers", "url", "project_urls",
                                                                 "install_requires", "description"]),
                                                st.text(max_size=40), max_size=6), max_size=3))
def test_setup_cfg_sections_never_raise(sections):
    record = _record()
    apply_setup_cfg(sections, record, origin="setup.cfg")
    settle(record, fallback_name="b")


@RELAXED
@given(TEXT)
def test_html_and_links_never_raise(text):
    parse_html(text)
    for builder in (None, file_url_builder("https://github.com/a/b", "c")):
        rewrite_relative_links(text, base_dir="docs", file_url=builder)


@RELAXED
@given(st.one_of(TEXT, SCALARS))
def test_licences_and_names_never_raise(value):
    result = normalize_license(value)
    assert result is None or isinstance(result, str)
    if isinstance(value, str):
        languages_named([value], prose=True, text_language="en")
        languages_named([value], prose=False)
        countries_named([value])
        assume(value.strip())
        text_language(value, primary="en")
