"""pyproject.toml (PEP 621, PEP 639, Poetry), setup.cfg and package.json."""
import json

import pytest

from harvesters import HarvestOptions, get_harvester
from harvesters.formats.common import FormatError
from harvesters.formats.manifests import classifier_languages, dependency_frameworks, parse_pyproject, parse_setup_cfg

LOCAL = HarvestOptions(allow_local=True)
README = "# Tool\n\nA sample command-line tool for cleaning Marathi text, written for the registry's tests.\n"


def harvest(git_repo, files, name="acme/tool"):
    return get_harvester("git").harvest(str(git_repo(files, name=name)), options=LOCAL)


def test_pyproject_pep_621_and_639(git_repo):
    pyproject = """[project]
name = "sample-tool"
version = "1.2.3"
description = "A sample tool for cleaning Marathi text, written for tests of the registry."
license = "MIT OR Apache-2.0"
authors = [{name = "Priya Namuna", email = "p@example.org"}, {email = "only@example.org"}]
keywords = ["marathi", "text cleaning"]
classifiers = ["Natural Language :: Marathi", "Natural Language :: Chinese (Simplified)"]
dependencies = ["torch>=2.1", "transformers[torch]>=4", "requests"]
[project.urls]
Homepage = "https://example.org/tool"
"""
    record = harvest(git_repo, {"pyproject.toml": pyproject, "README.md": README})
    fields = record.fields
    assert fields["version"] == "1.2.3" and fields["license"] == "MIT OR Apache-2.0"
    assert fields["summary"] == "A sample tool for cleaning Marathi text, written for tests of the registry."
    assert fields["name"] == "Tool"  # the package name is an identifier; the README names the project
    assert fields["authors"] == [{"name": "Priya Namuna"}]
    assert fields["tags"] == ["marathi", "text-cleaning"] and fields["homepage"] == "https://example.org/tool"
    assert fields["languages"] == ["mr", "zh-Hans"] and "inferred" not in record.provenance["languages"]
    assert fields["frameworks"] == ["pytorch", "transformers"]


def test_pyproject_legacy_licence_table_and_poetry(git_repo):
    record = harvest(git_repo, {"pyproject.toml": '[project]\nname = "x"\nlicense = {text = "BSD-3-Clause"}\n'})
    assert record.fields["license"] == "BSD-3-Clause"
    assert record.fields["name"] == "x" and record.provenance["name"]["origin"] == "pyproject.toml"
    poetry = ('[tool.poetry]\nname = "p"\nversion = "0.1.0"\ndescription = "A sample Poetry project for tests."\n'
              'license = "GPL-3.0-or-later"\nauthors = ["Ada Sample <ada@example.org>"]\n'
              'homepage = "https://example.org/p"\n[tool.poetry.dependencies]\npython = "^3.11"\njax = "*"\n')
    record = harvest(git_repo, {"pyproject.toml": poetry}, name="acme/poetry")
    assert record.fields["license"] == "GPL-3.0-or-later" and record.fields["authors"] == [{"name": "Ada Sample"}]
    assert record.fields["frameworks"] == ["jax"] and record.fields["homepage"] == "https://example.org/p"


def test_setup_cfg(git_repo):
    cfg = """[metadata]
name = old-tool
version = 0.9
description = A sample setuptools project, written for tests of the registry.
author = Ada Sample, Musa Sample
license = Apache-2.0
keywords = hausa, tokenizer
url = https://example.org/old-tool
classifiers =
    License :: OSI Approved :: Apache Software License
    Natural Language :: Hausa
[options]
install_requires =
    tensorflow>=2
"""
    record = harvest(git_repo, {"setup.cfg": cfg})
    fields = record.fields
    assert fields["version"] == "0.9" and fields["license"] == "Apache-2.0"
    assert fields["authors"] == [{"name": "Ada Sample"}, {"name": "Musa Sample"}]
    assert fields["tags"] == ["hausa", "tokenizer"] and fields["languages"] == ["ha"]
    assert fields["frameworks"] == ["tensorflow"] and fields["homepage"] == "https://example.org/old-tool"


def test_package_json(git_repo):
    package = {"name": "@acme/wolof-keys", "version": "2.0.0", "license": "(MIT OR Apache-2.0)",
               "description": "Un clavier d'exemple pour écrire le wolof dans le navigateur, écrit pour les tests.",
               "author": {"name": "Aïssatou Exemple", "email": "a@example.org"},
               "contributors": ["Ousmane Sample <o@example.org> (https://example.org)"],
               "keywords": ["wolof"], "homepage": "https://example.org/keys",
               "dependencies": {"@tensorflow/tfjs": "^4"}}
    record = harvest(git_repo, {"package.json": json.dumps(package)})
    fields = record.fields
    assert fields["license"] == "(MIT OR Apache-2.0)" and fields["version"] == "2.0.0"
    assert fields["authors"] == [{"name": "Aïssatou Exemple"}, {"name": "Ousmane Sample"}]
    assert fields["frameworks"] == ["tensorflow.js"] and fields["language"] == "fr"
    legacy = harvest(git_repo, {"package.json": json.dumps({"licenses": [{"type": "MIT"}, {"type": "ISC"}]})},
                     name="acme/legacy")
    assert legacy.fields["license"] == "MIT OR ISC"


@pytest.mark.parametrize("files, words", [
    ({"pyproject.toml": "[project\nname = 1"}, "pyproject.toml is not valid TOML"),
    ({"package.json": "{'single': 'quotes'}"}, "package.json is not valid JSON"),
    ({"package.json": "[]"}, "package.json is not a JSON object"),
    ({"setup.cfg": "no section header"}, "setup.cfg is not a valid configuration file"),
    ({"pyproject.toml": '[project]\nlicense = "Totally Free"\n'}, "licence 'Totally Free' is not an SPDX expression"),
])
def test_broken_manifests_are_warnings(git_repo, files, words):
    record = harvest(git_repo, {**files, "README.md": README})
    assert record.fields["name"] == "Tool"
    assert any(words in w for w in record.warnings), record.warnings


def test_helpers():
    assert dependency_frameworks(["Torch==2", "scikit_learn", "numpy"]) == ["pytorch", "scikit-learn"]
    assert classifier_languages(["Natural Language :: Portuguese (Brazilian)", "Natural Language :: Nonsense Words",
                                 "Programming Language :: Python"]) == ["pt-BR"]
    with pytest.raises(FormatError):
        parse_pyproject("= nope")
    assert parse_setup_cfg("[metadata]\nname = x\n") == {"metadata": {"name": "x"}}
