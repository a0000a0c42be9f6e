"""Hugging Face model and dataset cards: every key we read, odd spellings, and sub-folder cards."""
import pytest

from harvesters import HarvestOptions, get_harvester
from harvesters.formats.model_card import apply_card, card_license, model_index_results
from harvesters.record import HarvestedRecord

LOCAL = HarvestOptions(allow_local=True)
BODY = "# Tiny Model\n\nA tiny sample model for Yoruba text, written for the registry's own tests.\n"


def harvest(git_repo, files, name="acme/tool"):
    return get_harvester("git").harvest(str(git_repo(files, name=name)), options=LOCAL)


def test_model_card_keys(git_repo):
    card = """---
language: yo
license: apache-2.0
library_name: transformers
pipeline_tag: token-classification
tags: [pos-tagging, yoruba]
datasets:
  - acme/yoruba-treebank
base_model: acme/yoruba-bert
metrics: [accuracy]
model-index:
- name: tiny-model
  results:
  - task: {type: token-classification, name: POS tagging}
    dataset: {name: Yoruba Treebank, type: acme/yoruba-treebank}
    metrics:
    - {type: accuracy, value: 0.91, name: Accuracy}
    - {type: f1, value: 0.88}
---
""" + BODY
    record = harvest(git_repo, {"README.md": card})
    fields = record.fields
    assert fields["kind"] == "model" and fields["license"] == "Apache-2.0"
    assert fields["languages"] == ["yo"] and "inferred" not in record.provenance["languages"]
    assert fields["tasks"] == ["token-classification"] and fields["frameworks"] == ["transformers"]
    assert fields["tags"] == ["pos-tagging", "yoruba"]
    assert [(r["type"], r["target"]) for r in record.relations] == [
        ("fine-tuned-from", "acme/yoruba-bert"), ("trained-on", "acme/yoruba-treebank")]
    assert record.details["results"]["value"] == [
        {"model": "tiny-model", "task": "token-classification", "dataset": "Yoruba Treebank", "metric": "Accuracy",
         "value": 0.91},
        {"model": "tiny-model", "task": "token-classification", "dataset": "Yoruba Treebank", "metric": "f1",
         "value": 0.88}]
    assert record.details["metrics"]["value"] == ["accuracy"]
    assert fields["description"] == BODY.strip()


@pytest.mark.parametrize("relation, rel_type", [("adapter", "adapter-of"), ("quantized", "quantized-from"),
                                                 ("merge", "merged-from"), ("finetune", "fine-tuned-from")])
def test_base_model_relations(relation, rel_type):
    record = HarvestedRecord(source_url="x", source_kind="git", slug_hint="a/b")
    apply_card({"base_model": ["org/base"], "base_model_relation": relation}, record, origin="README.md")
    assert record.relations == [{"type": rel_type, "target": "org/base", "origin": "README.md"}]


def test_several_base_models_are_a_merge_and_an_unknown_relation_warns():
    record = HarvestedRecord(source_url="x", source_kind="git", slug_hint="a/b")
    apply_card({"base_model": ["org/a", "org/b"]}, record, origin="README.md")
    assert {r["type"] for r in record.relations} == {"merged-from"}
    record = HarvestedRecord(source_url="x", source_kind="git", slug_hint="a/b")
    apply_card({"base_model": "org/a", "base_model_relation": "distilled"}, record, origin="README.md")
    assert record.relations[0]["type"] == "fine-tuned-from"
    assert "base_model_relation 'distilled'" in record.warnings[0]


def test_dataset_card_keys_and_legacy_spellings(git_repo):
    card = """---
languages: [sw, en]
licenses: [cc-by-4.0]
task_categories: [text-classification]
task_ids: [sentiment-classification]
size_categories: [10K<n<100K]
multilinguality: [multilingual]
pretty_name: Tiny Tweets
source_datasets: [original, extended|acme/tweets]
---
# Tiny Tweets

A tiny sample corpus of Swahili tweets, written for the registry's own tests.
"""
    record = harvest(git_repo, {"README.md": card})
    assert record.fields["kind"] == "dataset" and record.fields["license"] == "CC-BY-4.0"
    assert record.fields["languages"] == ["sw", "en"] and record.fields["name"] == "Tiny Tweets"
    assert record.details["size_categories"]["value"] == ["10K<n<100K"]
    assert record.details["task_ids"]["value"] == ["sentiment-classification"]
    assert record.details["multilinguality"]["value"] == ["multilingual"]
    assert record.relations == [{"type": "derived-from", "target": "acme/tweets", "origin": "README.md"}]


def test_other_licence_with_a_name_and_link():
    assert card_license({"license": "other", "license_name": "tiny model licence"}) == \
        "LicenseRef-tiny-model-licence"
    assert card_license({"license": "llama2"}) == "LicenseRef-llama2"
    assert card_license({"license": "other"}) is None
    assert card_license({"license": ["mit", "cc-by-4.0"]}) == "MIT AND CC-BY-4.0"
    record = HarvestedRecord(source_url="x", source_kind="git", slug_hint="a/b")
    apply_card({"license": "other", "license_link": "https://example.org/licence"}, record, origin="README.md")
    assert record.details["license_link"]["value"] == "https://example.org/licence"


@pytest.mark.parametrize("raw", [
    b"\xef\xbb\xbf---\nlicense: mit\npipeline_tag: fill-mask\n---\n# T\n",  # byte-order mark
    b"---\r\nlicense: mit\r\npipeline_tag: fill-mask\r\n---\r\n# T\r\n",  # CRLF
])
def test_bom_and_crlf(git_repo, raw):
    record = harvest(git_repo, {"README.md": raw})
    assert record.fields["license"] == "MIT" and record.fields["kind"] == "model"
    assert record.fields["name"] == "T"


def test_empty_and_broken_front_matter(git_repo):
    record = harvest(git_repo, {"README.md": "---\n---\n" + BODY}, name="acme/empty")
    assert record.fields["name"] == "Tiny Model" and record.warnings == []
    record = harvest(git_repo, {"README.md": "---\nlicense: [mit\npipeline_tag: x\n---\n" + BODY}, name="acme/broken")
    assert record.fields["name"] == "Tiny Model" and record.fields["kind"] == "project"
    assert len(record.warnings) == 1 and record.warnings[0].startswith("README.md: front matter is not valid YAML")
    record = harvest(git_repo, {"README.md": "---\n- just\n- a list\n---\n" + BODY}, name="acme/list")
    assert record.warnings == ["README.md: front matter is not a YAML mapping"]


def test_cards_in_sub_folders_never_set_the_repositorys_licence(git_repo, tmp_path):
    from importlib import resources

    mit = resources.files("harvesters").joinpath("data", "licenses", "MIT.txt").read_text()
    files = {
        "README.md": "---\nlicense: mit\npipeline_tag: text-generation\n---\n" + BODY,
        "LICENSE": mit,
        "gguf/README.md": "---\nlicense: apache-2.0\nbase_model: acme/tool\nbase_model_relation: quantized\n"
                          "pipeline_tag: text-generation\n---\n# Quantized\n",
    }
    record = harvest(git_repo, files)
    assert record.fields["license"] == "MIT"
    assert record.relations == []
    assert record.details["sub_cards"]["value"] == [
        {"path": "gguf/README.md", "kind": "model", "license": "Apache-2.0", "pipeline_tag": "text-generation",
         "base_model": ["acme/tool"]}]
    alone = harvest(git_repo, {"README.md": BODY, "lora/README.md": "---\nlicense: gpl-3.0\npipeline_tag: x\n---\n"},
                    name="acme/alone")
    assert "license" not in alone.fields and alone.fields["kind"] == "project"


def test_model_index_tolerates_odd_shapes():
    assert model_index_results("nope") == []
    assert model_index_results([{"results": [{"metrics": [{"value": {"x": 1}}, "bad", {"value": 3}]}]}]) == [
        {"model": None, "task": None, "dataset": None, "metric": None, "value": 3}]
