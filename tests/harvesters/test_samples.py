"""Every field of every bundled sample comes out right through the real git harvester."""
import pytest

from harvesters import HarvestOptions, get_harvester
from harvesters.formats.front_matter import split_front_matter
from harvesters.links import rewrite_relative_links
from registry.services.demo import build_demo_repository, sample_repositories
from tests.harvesters.sample_expectations import EXPECTED

SAMPLES = {f"{path.parent.name}/{path.name}": path for path in sample_repositories()}


def test_every_sample_has_expectations():
    assert set(SAMPLES) == set(EXPECTED)
    kinds = [e["fields"]["kind"] for e in EXPECTED.values()]
    assert (kinds.count("model"), kinds.count("dataset"), kinds.count("project")) == (5, 5, 4)


@pytest.mark.parametrize("slug", sorted(SAMPLES))
def test_sample_is_harvested_right(slug, tmp_path):
    repo = build_demo_repository(SAMPLES[slug], tmp_path / slug)
    record = get_harvester("git").harvest(str(repo), options=HarvestOptions(allow_local=True))
    want = EXPECTED[slug]
    assert record.slug_hint == slug
    assert record.warnings == []
    fields = dict(record.fields)
    description = fields.pop("description")
    cff = fields.get("citation", {}).get("cff")
    if cff is not None:
        fields["citation"] = {k: v for k, v in fields["citation"].items() if k != "cff"}
    assert fields == want["fields"]
    origins = {k: v["origin"] + (" (inferred)" if v.get("inferred") else "") for k, v in record.provenance.items()}
    assert origins == want["origins"]
    assert all(p.get("commit") == record.commit for p in record.provenance.values())
    # The description is the default README without its card metadata; a local source has no
    # host to link to, so its relative links are made inert.
    readme = (SAMPLES[slug] / "README.md").read_text(encoding="utf-8")
    body = split_front_matter(readme)[1].strip()
    assert description == rewrite_relative_links(body, base_dir="", file_url=None)
    assert {tag: (t["name"], t["origin"]) for tag, t in record.translations.items()} == want["translations"]
    for _tag, translation in record.translations.items():
        assert translation["summary"] and translation["description"] is not None
    assert [(r["type"], r["target"]) for r in record.relations] == want["relations"]
    assert {k: v["value"] for k, v in record.details.items()} == want["details"]
    if (SAMPLES[slug] / "CITATION.cff").exists():
        assert cff["cff-version"] == "1.2.0" and cff["title"] == fields["name"]
        assert isinstance(cff["date-released"], str)  # YAML gave a date; stored as ISO text


def test_texts_never_mix_languages(tmp_path):
    # hindi-ocr-toolkit: a Hindi README, an English README_EN.md and an English pyproject
    # description. The entry's text is all Hindi; the English description joins the English translation.
    slug = "sample-pune-ai/hindi-ocr-toolkit"
    repo = build_demo_repository(SAMPLES[slug], tmp_path / slug)
    record = get_harvester("git").harvest(str(repo), options=HarvestOptions(allow_local=True))
    assert record.fields["language"] == "hi"
    assert record.fields["summary"].startswith("यह टूलकिट")
    english = record.translations["en"]
    assert english["summary"].startswith("Sample entry for the AI Commons Registry demo: clean-up tools")
    assert english["description"].startswith("![build]") and "# Hindi OCR Toolkit" in english["description"]
