"""Frictionless data packages (Open Definition licence ids mapped to SPDX) and Croissant files."""
import json

import pytest

from harvesters import HarvestOptions, get_harvester
from harvesters.formats.common import FormatError
from harvesters.formats.croissant import parse_croissant
from harvesters.formats.datapackage import datapackage_license, parse_datapackage

LOCAL = HarvestOptions(allow_local=True)


@pytest.mark.parametrize("licenses, spdx", [
    ([{"name": "ODC-By-1.0"}], "ODC-By-1.0"),
    ([{"name": "odc-by"}], "ODC-By-1.0"),
    ([{"name": "odc-odbl"}], "ODbL-1.0"),
    ([{"name": "odc-pddl"}], "PDDL-1.0"),
    ([{"name": "cc-zero"}], "CC0-1.0"),
    ([{"name": "CC-BY-SA-4.0"}], "CC-BY-SA-4.0"),
    ([{"path": "https://creativecommons.org/licenses/by/4.0/"}], "CC-BY-4.0"),
    (["ODbL-1.0", "CC-BY-4.0"], "ODbL-1.0 OR CC-BY-4.0"),
])
def test_open_definition_ids_map_to_spdx(licenses, spdx):
    assert datapackage_license(licenses) == (spdx, [])


def test_unknown_licence_is_not_guessed():
    assert datapackage_license([{"name": "other-open"}]) == (None, ["other-open"])


def test_datapackage_fields(git_repo):
    doc = {"name": "tiny-corpus", "title": "Tiny Corpus",
           "description": "A sample corpus of Hausa radio transcripts, written for the registry's tests.",
           "version": "0.9.0", "homepage": "https://example.org/tiny", "keywords": ["Hausa", "radio"],
           "licenses": [{"name": "odc-by"}],
           "contributors": [{"title": "Hauwa Misali", "role": "author", "organization": "Sample Kano Lab"},
                            {"title": "Sample Kano Lab", "role": "publisher"},
                            {"givenName": "Musa", "familyName": "Sample", "roles": ["creator"]}],
           "resources": [{"name": "transcripts", "path": "data/t.csv", "format": "csv"}, "junk"]}
    path = git_repo({"datapackage.json": json.dumps(doc), "data/t.csv": "id,text\n1,sannu\n"})
    record = get_harvester("git").harvest(str(path), options=LOCAL)
    fields = record.fields
    assert fields["kind"] == "dataset" and fields["name"] == "Tiny Corpus" and fields["license"] == "ODC-By-1.0"
    assert fields["authors"] == [{"name": "Hauwa Misali", "affiliation": "Sample Kano Lab"}, {"name": "Musa Sample"}]
    assert fields["language"] == "en" and fields["languages"] == ["en", "ha"]
    assert record.details["resources"]["value"] == [{"name": "transcripts", "path": "data/t.csv", "format": "csv"}]


def test_broken_datapackage(git_repo):
    path = git_repo({"datapackage.json": "[1, 2", "README.md": "# Data\n"})
    record = get_harvester("git").harvest(str(path), options=LOCAL)
    assert record.warnings[0].startswith("datapackage.json is not valid JSON")
    with pytest.raises(FormatError, match="is not a JSON object"):
        parse_datapackage("[]")


CROISSANT = {
    "@context": {"@language": "en", "@vocab": "https://schema.org/", "cr": "http://mlcommons.org/croissant/"},
    "@type": "sc:Dataset", "conformsTo": "http://mlcommons.org/croissant/1.0", "name": "Tiny Speech",
    "description": "A sample speech dataset of Wolof greetings, written for the registry's tests.",
    "license": "https://creativecommons.org/licenses/by-sa/4.0/", "url": "https://example.org/tiny-speech",
    "inLanguage": ["wo", "fr"], "version": "1.0.0", "citeAs": "@misc{tiny, title={Tiny Speech}}",
    "creator": {"@type": "Person", "name": "Aïssatou Exemple"},
    "distribution": [{"@type": "cr:FileObject", "name": "clips.zip", "contentUrl": "clips.zip",
                      "encodingFormat": "application/zip"}],
    "recordSet": [{"@type": "cr:RecordSet", "name": "greetings",
                   "field": [{"@type": "cr:Field", "name": "audio"}, {"@type": "cr:Field", "name": "text"}]}],
}


def test_croissant_file(git_repo):
    path = git_repo({"croissant.json": json.dumps(CROISSANT)})
    record = get_harvester("git").harvest(str(path), options=LOCAL)
    fields = record.fields
    assert fields["kind"] == "dataset" and fields["name"] == "Tiny Speech" and fields["license"] == "CC-BY-SA-4.0"
    assert fields["languages"] == ["wo", "fr"] and fields["version"] == "1.0.0"
    assert fields["authors"] == [{"name": "Aïssatou Exemple"}]
    assert record.details["record_sets"]["value"] == [{"name": "greetings", "fields": ["audio", "text"]}]
    assert record.details["cite_as"]["value"].startswith("@misc")
    assert record.details["files"]["value"][0]["format"] == "application/zip"


def test_croissant_without_a_dataset():
    with pytest.raises(FormatError, match="holds no schema.org Dataset"):
        parse_croissant('{"@type": "Person"}')
