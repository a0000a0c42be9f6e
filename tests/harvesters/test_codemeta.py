"""codemeta.json in its three versions; programming languages never become human languages."""
import json

import pytest

from harvesters import HarvestOptions, get_harvester
from harvesters.formats.codemeta import codemeta_version, parse_codemeta
from harvesters.formats.common import FormatError

LOCAL = HarvestOptions(allow_local=True)
README = "# Tool\n\nA sample command-line tool for aligning Hausa and English sentences, for tests.\n"


def harvest(git_repo, doc, name="acme/tool"):
    path = git_repo({"codemeta.json": json.dumps(doc), "README.md": README}, name=name)
    return get_harvester("git").harvest(str(path), options=LOCAL)


def test_codemeta_v2(git_repo):
    doc = {"@context": "https://doi.org/10.5063/schema/codemeta-2.0", "@type": "SoftwareSourceCode",
           "name": "Aligner", "description": "A sample sentence aligner for Hausa and English, written for tests.",
           "version": "1.4.0", "license": "https://spdx.org/licenses/Apache-2.0",
           "codeRepository": "https://example.org/git/aligner", "programmingLanguage": "Python",
           "keywords": "alignment, hausa", "identifier": "doi:10.5281/zenodo.0000050",
           "author": [{"@type": "Person", "givenName": "Hauwa", "familyName": "Misali",
                       "@id": "https://orcid.org/0000-0002-7760-342X",
                       "affiliation": [{"@type": "Organization", "name": "Sample Lagos Language Collective"}]}]}
    record = harvest(git_repo, doc)
    fields = record.fields
    assert fields["name"] == "Aligner" and fields["version"] == "1.4.0" and fields["license"] == "Apache-2.0"
    assert fields["homepage"] == "https://example.org/git/aligner"
    assert fields["tags"] == ["alignment", "hausa"]
    assert fields["citation"] == {"doi": "10.5281/zenodo.0000050"}
    assert fields["authors"] == [{"name": "Hauwa Misali", "orcid": "https://orcid.org/0000-0002-7760-342X",
                                  "affiliation": "Sample Lagos Language Collective"}]
    assert record.details["programming_languages"]["value"] == ["Python"]
    assert "python" not in " ".join(fields["languages"]).lower()
    assert fields["languages"] == ["en", "ha"]


def test_codemeta_v1_agents_and_licence_id(git_repo):
    doc = {"@context": "https://raw.githubusercontent.com/codemeta/codemeta/1.0/codemeta.jsonld",
           "@type": "SoftwareSourceCode", "name": "Old Tool", "licenseId": "MIT",
           "agents": [{"@type": "person", "name": "Ada Sample", "@id": "http://orcid.org/0000-0002-1825-0097"}],
           "programmingLanguage": {"@type": "ComputerLanguage", "name": "R", "version": "4"}}
    record = harvest(git_repo, doc)
    assert record.fields["license"] == "MIT"
    assert record.fields["authors"] == [{"name": "Ada Sample", "orcid": "https://orcid.org/0000-0002-1825-0097"}]
    assert record.details["programming_languages"]["value"] == ["R"]


def test_codemeta_v3_graph():
    doc = {"@context": ["https://w3id.org/codemeta/3.0"],
           "@graph": [{"@type": "Person", "name": "x"}, {"@type": "SoftwareSourceCode", "name": "In a graph"}]}
    item, warnings = parse_codemeta(json.dumps(doc))
    assert item["name"] == "In a graph" and warnings == []
    assert codemeta_version(doc) == 3


def test_unknown_context_is_a_warning_and_bad_json_an_error():
    _item, warnings = parse_codemeta('{"name": "x"}')
    assert warnings == ["its @context is not a CodeMeta 1.0, 2.0 or 3.0 context; read anyway"]
    for text in ("{", "[]", "{}"):
        with pytest.raises(FormatError):
            parse_codemeta(text)


def test_invalid_codemeta_is_a_warning(git_repo):
    path = git_repo({"codemeta.json": '{"name": "x",', "README.md": README})
    record = get_harvester("git").harvest(str(path), options=LOCAL)
    assert record.fields["name"] == "Tool"
    assert record.warnings[0].startswith("codemeta.json is not valid JSON")
