"""Merging every file's claims: precedence, conflicts as warnings, text kept in its language, inference."""
from importlib import resources

from harvesters import HarvestOptions, get_harvester
from harvesters.merge import settle
from harvesters.record import (
    LANG_AUTO,
    RANK_EXPLICIT,
    RANK_INFERRED,
    RANK_LICENSE_TEXT,
    RANK_MANIFEST,
    RANK_README,
    HarvestedRecord,
)

LOCAL = HarvestOptions(allow_local=True)
LICENSES = resources.files("harvesters").joinpath("data", "licenses")


def record():
    return HarvestedRecord(source_url="/srv/acme/tool", source_kind="git", slug_hint="acme/tool", commit="c" * 40)


def test_explicit_metadata_beats_manifests_which_beat_the_readme():
    r = record()
    r.offer("version", "0.1", origin="README.md", rank=RANK_README)
    r.offer("version", "0.2", origin="package.json", rank=RANK_MANIFEST)
    r.offer("version", "0.3", origin="CITATION.cff", rank=RANK_EXPLICIT)
    settle(r, fallback_name="tool")
    assert r.fields["version"] == "0.3" and r.provenance["version"]["origin"] == "CITATION.cff"
    assert r.warnings == ["version: CITATION.cff says 0.3 but package.json says 0.2; kept 0.3"]
    assert r.fields["name"] == "tool" and r.provenance["name"] == {"origin": "source", "commit": "c" * 40,
                                                                    "inferred": True}


def test_kind_conflict_between_explicit_files_is_a_warning():
    r = record()
    r.offer("kind", "model", origin="README.md", rank=RANK_EXPLICIT)
    r.offer("kind", "dataset", origin="CITATION.cff", rank=RANK_EXPLICIT)
    r.offer("kind", "dataset", origin="data/x.csv", rank=RANK_INFERRED, inferred=True)
    settle(r, fallback_name="tool")
    assert r.fields["kind"] == "model"
    assert r.warnings == ["kind: README.md says model but CITATION.cff says dataset; kept model"]


def test_licence_text_and_metadata():
    r = record()
    r.offer("license", "GPL-3.0-only", origin="LICENSE", rank=RANK_LICENSE_TEXT)
    r.offer("license", "GPL-3.0-or-later", origin="pyproject.toml", rank=RANK_MANIFEST)
    settle(r, fallback_name="tool")
    assert r.fields["license"] == "GPL-3.0-or-later" and r.provenance["license"]["origin"] == "pyproject.toml, LICENSE"
    assert r.warnings == []
    r = record()
    r.offer("license", "MIT", origin="LICENSE", rank=RANK_LICENSE_TEXT)
    r.offer("license", "Apache-2.0", origin="README.md", rank=RANK_EXPLICIT)
    settle(r, fallback_name="tool")
    assert r.fields["license"] == "MIT"
    assert r.warnings == ["license: LICENSE holds MIT but README.md says Apache-2.0; kept MIT, the licence text"]
    r = record()
    r.offer("license", "NOASSERTION", origin="LICENSE", rank=RANK_LICENSE_TEXT)
    r.offer("license", "MIT", origin="package.json", rank=RANK_MANIFEST)
    settle(r, fallback_name="tool")
    assert r.fields["license"] == "MIT" and r.provenance["license"]["origin"] == "package.json"
    r = record()
    r.offer("license", "MIT", origin="LICENSE-MIT", rank=RANK_LICENSE_TEXT)
    r.offer("license", "MIT OR Apache-2.0", origin="Cargo-like manifest", rank=RANK_MANIFEST)
    settle(r, fallback_name="tool")
    assert r.fields["license"] == "MIT OR Apache-2.0"


def test_japanese_readme_and_english_pyproject_never_mix(git_repo):
    readme = ("# 日本語要約ツール\n\nこのツールは、日本語のニュース記事を三文程度の短い要約にまとめるためのサンプルです。"
              "登録システムのテストのために書かれました。\n")
    pyproject = ('[project]\nname = "ja-summary"\n'
                 'description = "A sample tool that summarises Japanese news articles in three sentences, for tests."\n')
    record_ = get_harvester("git").harvest(str(git_repo({"README.md": readme, "pyproject.toml": pyproject})),
                                           options=LOCAL)
    assert record_.fields["language"] == "ja"
    assert record_.fields["name"] == "日本語要約ツール"
    assert record_.fields["summary"].startswith("このツールは")
    assert record_.translations == {"en": {
        "name": "日本語要約ツール",  # no English name was given: the name is kept as it is
        "summary": "A sample tool that summarises Japanese news articles in three sentences, for tests.",
        "description": None, "origin": "pyproject.toml"}}


def test_languages_inferred_from_keywords_and_title(git_repo):
    readme = "# Swahili tweets\n\nA small sample corpus of short messages, collected for the registry's tests.\n"
    pyproject = '[project]\nname = "x"\nkeywords = ["hindi", "yue", "mt", "nlp"]\n'
    record_ = get_harvester("git").harvest(str(git_repo({"README.md": readme, "pyproject.toml": pyproject})),
                                           options=LOCAL)
    assert record_.fields["languages"] == ["en", "sw", "hi", "yue"]
    assert record_.provenance["languages"]["inferred"] is True
    assert record_.provenance["languages"]["origin"] == "README.md, pyproject.toml"


def test_stated_languages_are_not_inferred(git_repo):
    readme = "---\nlanguage: [ha]\npipeline_tag: translation\n---\n# Hausa model\n\nA sample model.\n"
    record_ = get_harvester("git").harvest(str(git_repo({"README.md": readme})), options=LOCAL)
    assert record_.fields["languages"] == ["ha"] and "inferred" not in record_.provenance["languages"]


def test_kind_from_evidence(git_repo):
    data = get_harvester("git").harvest(str(git_repo({"data/a.csv": "x\n1\n", "README.md": "# D\n"}, name="a/d")),
                                        options=LOCAL)
    assert data.fields["kind"] == "dataset" and data.provenance["kind"]["inferred"] is True
    weights = get_harvester("git").harvest(str(git_repo({"model.safetensors": b"\x00" * 16}, name="a/m")),
                                           options=LOCAL)
    assert weights.fields["kind"] == "model" and weights.provenance["kind"]["origin"] == "model.safetensors"
    tool = get_harvester("git").harvest(str(git_repo({"data/a.csv": "x\n", "tool.py": "print(1)\n"}, name="a/t")),
                                        options=LOCAL)
    assert tool.fields["kind"] == "project" and tool.provenance["kind"]["origin"] == "default"


def test_no_readme_language_comes_from_metadata_text():
    r = record()
    r.offer("name", "Outil", origin="codemeta.json", rank=RANK_EXPLICIT, lang=LANG_AUTO)
    r.offer("summary", "Un outil d'exemple pour aligner des phrases en wolof et en français, écrit pour les tests.",
            origin="codemeta.json", rank=RANK_EXPLICIT, lang=LANG_AUTO)
    settle(r, fallback_name="tool")
    assert r.fields["language"] == "fr" and r.provenance["language"]["origin"] == "codemeta.json"
    assert r.fields["name"] == "Outil" and r.fields["languages"] == ["fr", "wo"]


def test_region_from_one_named_country_only():
    r = record()
    r.offer("tags", ["kenya", "sentiment"], origin="README.md", rank=RANK_EXPLICIT)
    settle(r, fallback_name="tool")
    assert r.fields["region"] == "KE" and r.provenance["region"]["inferred"] is True
    r = record()
    r.offer("tags", ["kenya", "tanzania"], origin="README.md", rank=RANK_EXPLICIT)
    settle(r, fallback_name="tool")
    assert "region" not in r.fields


def test_tasks_from_keywords_only_when_none_are_stated():
    r = record()
    r.offer("tags", ["speech-recognition", "ocr"], origin="datapackage.json", rank=RANK_EXPLICIT)
    settle(r, fallback_name="tool")
    assert r.fields["tasks"] == ["automatic-speech-recognition", "image-to-text"]
    assert r.provenance["tasks"]["inferred"] is True
    r = record()
    r.offer("tags", ["ocr"], origin="pyproject.toml", rank=RANK_MANIFEST)
    r.offer("tasks", ["translation"], origin="README.md", rank=RANK_EXPLICIT)
    settle(r, fallback_name="tool")
    assert r.fields["tasks"] == ["translation"]


def test_licence_file_and_card_agree(git_repo):
    files = {"LICENSE": LICENSES.joinpath("Apache-2.0.txt").read_text(),
             "README.md": "---\nlicense: apache-2.0\npipeline_tag: fill-mask\n---\n# M\n"}
    record_ = get_harvester("git").harvest(str(git_repo(files)), options=LOCAL)
    assert record_.fields["license"] == "Apache-2.0" and record_.provenance["license"]["origin"] == "LICENSE"
