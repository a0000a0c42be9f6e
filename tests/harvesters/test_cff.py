"""CITATION.cff 1.2.0: authors with ORCID and affiliation, DOI, dates, licences, and broken files."""
import pytest

from harvesters import HarvestOptions, get_harvester
from harvesters.formats.cff import cff_authors, cff_license, parse_citation_cff
from harvesters.formats.common import FormatError

LOCAL = HarvestOptions(allow_local=True)
CFF = """cff-version: 1.2.0
message: If you use this sample, cite it as below.
type: dataset
title: Tiny Yoruba Proverbs
abstract: A sample corpus of five hundred Yoruba proverbs with English glosses, written for the registry's tests.
version: 2.1
doi: https://doi.org/10.5281/ZENODO.0000042
date-released: 2025-03-14
license: [CC-BY-4.0, CC0-1.0]
url: https://example.org/proverbs
repository-code: https://example.org/git/proverbs
keywords: [Yoruba, proverbs, Nigeria]
authors:
  - given-names: Ada
    name-particle: van
    family-names: Sample
    orcid: https://orcid.org/0000-0002-1825-0097
    affiliation: Sample Lagos Language Collective
  - given-names: Bad
    family-names: Checksum
    orcid: https://orcid.org/0000-0002-1825-0098
  - name: Sample Lagos Language Collective
preferred-citation:
  type: article
  title: Proverbs as data
  doi: 10.5281/zenodo.0000043
  authors: [{family-names: Sample, given-names: Ada}]
"""


def test_citation_cff_fields(git_repo):
    path = git_repo({"CITATION.cff": CFF, "README.md": "# Proverbs\n\nA sample corpus of Yoruba proverbs, "
                                                        "with English glosses, for the registry's tests.\n"})
    record = get_harvester("git").harvest(str(path), options=LOCAL)
    fields = record.fields
    assert fields["kind"] == "dataset" and fields["version"] == "2.1"
    assert fields["name"] == "Tiny Yoruba Proverbs" and record.provenance["name"]["origin"] == "CITATION.cff"
    assert fields["summary"].startswith("A sample corpus of five hundred Yoruba proverbs")
    assert fields["license"] == "CC-BY-4.0 OR CC0-1.0"
    assert fields["homepage"] == "https://example.org/proverbs"
    assert fields["tags"] == ["yoruba", "proverbs", "nigeria"]
    assert fields["authors"] == [
        {"name": "Ada van Sample", "orcid": "https://orcid.org/0000-0002-1825-0097",
         "affiliation": "Sample Lagos Language Collective"},
        {"name": "Bad Checksum"},  # an ORCID iD whose check digit is wrong is not kept
        {"name": "Sample Lagos Language Collective"},
    ]
    citation = fields["citation"]
    assert citation["doi"] == "10.5281/ZENODO.0000042"
    assert citation["cff"]["date-released"] == "2025-03-14"
    assert citation["cff"]["preferred-citation"]["doi"] == "10.5281/zenodo.0000043"
    assert fields["languages"] == ["en", "yo"] and fields["region"] == "NG"
    assert record.warnings == []


def test_preferred_citation_doi_when_the_work_has_none():
    data, _ = parse_citation_cff("cff-version: 1.2.0\ntitle: x\npreferred-citation: {doi: '10.1234/abc'}\n")
    from harvesters.formats.cff import cff_doi

    assert cff_doi(data) == "10.1234/abc"
    data, _ = parse_citation_cff("cff-version: 1.2.0\ntitle: x\nidentifiers: [{type: doi, value: 10.1234/z}]\n")
    assert cff_doi(data) == "10.1234/z"


def test_licence_forms():
    assert cff_license("Apache-2.0") == "Apache-2.0"
    assert cff_license(["MIT", "Apache-2.0"]) == "MIT OR Apache-2.0"
    assert cff_license("Not A Licence") is None
    assert cff_authors([{"given-names": "Only"}, "junk", {"alias": "bot"}]) == [{"name": "Only"}, {"name": "bot"}]


@pytest.mark.parametrize("text, words", [
    ("title: [unclosed\n", "is not valid YAML"),
    ("- a\n- b\n", "is not a YAML mapping"),
    ("just text", "is not a YAML mapping"),
])
def test_unreadable_files_raise_the_documented_error(text, words):
    with pytest.raises(FormatError, match=words):
        parse_citation_cff(text)


def test_version_warnings():
    assert parse_citation_cff("title: x\n")[1] == ["cff-version is missing; read as 1.2.0"]
    assert parse_citation_cff("cff-version: 1.1.0\ntitle: x\n")[1] == ["cff-version 1.1.0 is not 1.2.0; read anyway"]


def test_broken_citation_file_is_a_warning_not_a_crash(git_repo):
    path = git_repo({"CITATION.cff": "cff-version: 1.2.0\ntitle: 'unclosed\nauthors: [\n", "README.md": "# Fine\n"})
    record = get_harvester("git").harvest(str(path), options=LOCAL)
    assert record.fields["name"] == "Fine"
    assert len(record.warnings) == 1 and record.warnings[0].startswith("CITATION.cff is not valid YAML")
