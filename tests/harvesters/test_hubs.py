"""Hub sources: a Hugging Face or ModelScope repository read through the API and raw files, never its weights."""
from __future__ import annotations

import pytest

import harvesters
from harvesters import HarvestError, HarvestOptions, UnsafeSource
from harvesters.hubs import hub_repo
from harvesters.listers import reset_politeness
from tests.harvesters import fake_apis as fa


@pytest.fixture
def hub():
    reset_politeness()
    repo = fa.HubRepo(
        id="lab/sw-translator",
        files={"README.md": fa.CARD, "config.json": b'{"model_type": "marian"}',
               "CITATION.cff": b"cff-version: 1.2.0\ntitle: Sw Translator\nmessage: cite\nauthors:\n  - name: Lab\n"},
        lfs={"model.safetensors": 900_000_000, "weights/pytorch_model.bin": 900_000_000},
        gated="manual",
        card={"license": "mit", "extra_gated_prompt": "Agree to the terms", "extra_gated_fields": {"Country": "text"}},
    )
    data = fa.HubRepo(id="lab/sw-corpus", files={"README.md": b"---\nlicense: cc-by-4.0\n---\n# Corpus\n\nText.\n"},
                      dataset=True)
    fake = fa.huggingface({}, repos={repo.id: repo, data.id: data}).start()
    yield fake
    fake.stop()


def options_for(fake, **more) -> HarvestOptions:
    return HarvestOptions(allow_private=True, hf_endpoint=fake.base, modelscope_url=fake.base, host_interval=0, **more)


def test_a_model_is_read_from_its_record_and_card_never_its_weights(hub):
    record = harvesters.get_harvester("huggingface").harvest(f"{hub.base}/lab/sw-translator", options=options_for(hub))
    assert record.commit == "0123456789abcdef0123456789abcdef01234567"
    assert record.fields["kind"] == "model" and record.fields["license"] == "MIT"
    assert "sw" in record.fields["languages"] and "translation" in record.fields["tasks"]
    assert record.fields["name"] == "Sw Translator"  # CITATION.cff's title, read through its raw address
    assert record.provenance["license"]["origin"] in ("README.md", "Hugging Face API")
    access = record.details["access"]["value"]
    assert access["gated"] is True and access["approval"] == "manual"
    assert access["conditions"]["extra_gated_prompt"] == "Agree to the terms"
    files = {f["path"]: f for f in record.details["files"]["value"]}
    assert files["model.safetensors"] == {"path": "model.safetensors", "size": 900_000_000, "lfs_sha256": "ab" * 32}
    fetched = [c.path for c in hub.calls]
    assert not any("safetensors" in p or "pytorch_model" in p for p in fetched)
    assert f"/lab/sw-translator/raw/{record.commit}/README.md" in fetched
    assert record.slug_hint == "lab/sw-translator"


def test_a_dataset_and_the_head_of_a_hub_repository(hub):
    harvester = harvesters.get_harvester("huggingface")
    record = harvester.harvest(f"{hub.base}/datasets/lab/sw-corpus", options=options_for(hub))
    assert record.fields["kind"] == "dataset" and record.fields["license"] == "CC-BY-4.0"
    assert record.source_url == f"{hub.base}/datasets/lab/sw-corpus"
    assert harvester.head(f"{hub.base}/lab/sw-translator", options=options_for(hub)) == "0123456789abcdef0123456789abcdef01234567"


def test_a_missing_repository_or_another_address_fails_in_plain_words(hub):
    harvester = harvesters.get_harvester("huggingface")
    with pytest.raises(HarvestError, match="not found on the hub"):
        harvester.harvest(f"{hub.base}/lab/nothing", options=options_for(hub))
    with pytest.raises(UnsafeSource):
        harvester.harvest("https://example.org/lab/x", options=options_for(hub))
    with pytest.raises(UnsafeSource):
        hub_repo(f"{hub.base}/spaces/lab/demo", hub.base, hub="Hugging Face")


def test_the_hub_token_is_sent_to_the_hub_only(hub):
    harvesters.get_harvester("huggingface").harvest(f"{hub.base}/lab/sw-translator",
                                                    options=options_for(hub, hf_token="hf_secret"))
    assert {c.headers.get("authorization") for c in hub.calls} == {"Bearer hf_secret"}
    assert "hf_secret" not in repr(options_for(hub, hf_token="hf_secret"))


def test_hub_addresses_are_recognised_as_their_kind(hub):
    options = options_for(hub)
    assert harvesters.guess_kind(f"{hub.base}/lab/sw-translator", options=options) == "huggingface"
    assert harvesters.guess_kind("https://huggingface.co/datasets/org/x", options=HarvestOptions()) == "huggingface"
    assert harvesters.guess_kind("https://modelscope.cn/models/damo/x", options=HarvestOptions()) == "modelscope"


def test_a_modelscope_model_from_its_record_file_list_and_card():
    reset_politeness()
    fake = fa.modelscope({}, records={"damo/asr": {"Id": 1, "Name": "asr", "Path": "damo", "License": "Apache License 2.0",
                                                   "Tags": ["speech"], "Downloads": 3, "LastUpdatedTime": 1767225600}},
                         files={"damo/asr": {"README.md": b"# ASR\n\nSpeech recognition for Mandarin.\n"}}).start()
    try:
        record = harvesters.get_harvester("modelscope").harvest(f"{fake.base}/models/damo/asr",
                                                                options=options_for(fake))
    finally:
        fake.stop()
    assert record.fields["name"] == "ASR" and record.fields["license"] == "Apache-2.0"
    assert record.commit == "ms:1767225600"
    assert any(f.get("lfs_sha256") == "cd" * 32 for f in record.details["files"]["value"])
    assert not any("pytorch_model" in c.query.get("FilePath", "") for c in fake.calls)
