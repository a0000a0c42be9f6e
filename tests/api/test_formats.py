"""Open formats: citations, schema.org JSON-LD (API and entry page), Croissant, and the dump."""
from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.helpers import add_entry

CFF = {"cff-version": "1.2.0", "message": "Cite this.", "title": "Swahili Tweets Corpus", "type": "dataset",
       "version": "2.1", "date-released": "2025-03-04", "doi": "10.5281/zenodo.1234567",
       "authors": [{"given-names": "Amina", "family-names": "Odhiambo", "orcid": "https://orcid.org/0000-0002-1825-0097"},
                   {"given-names": "Jean-Luc", "family-names": "Mbeki"}, {"name": "Nairobi NLP Group"}]}


def _corpus(app):
    return add_entry(app, "nairobi/tweets", kind="dataset", name="Tweets", summary="Swahili tweets & replies.",
                     language="sw", languages=["sw", "en"], license="CC-BY-4.0", tasks=["text-classification"],
                     tags=["twitter"], region="KE", version="2.1",
                     authors=[{"name": "Amina Odhiambo", "orcid": "0000-0002-1825-0097", "affiliation": "Nairobi NLP"}],
                     citation={"doi": "10.5281/zenodo.1234567", "cff": CFF},
                     translations={"en": {"name": "Tweets (English)", "summary": "Tweets in Swahili.",
                                          "description": "", "origin": "README.en.md"}})


def _model(app):
    return add_entry(app, "lagos/translator", kind="model", name="Yorùbá–Hausa Translator",
                     summary="Translates </script><script>alert(1)</script> between Yorùbá and Hausa.",
                     language="en", languages=["yo", "ha"], license="MIT OR Apache-2.0", version="0.3.0",
                     frameworks=["pytorch"], authors=[{"name": "Ngozi Adeyemi"}, {"name": "鈴木"}])


def test_bibtex_from_citation_cff(app, client):
    _corpus(app)
    resp = client.get("/api/v1/entries/nairobi/tweets/citation?format=bibtex")
    assert resp.status_code == 200 and resp.mimetype == "application/x-bibtex"
    text = resp.get_data(as_text=True)
    assert text.startswith("@misc{nairobi_tweets_2025,")
    assert "author = {Odhiambo, Amina and Mbeki, Jean-Luc and Nairobi NLP Group}" in text
    assert "title = {{Swahili Tweets Corpus}}" in text and "version = {2.1}" in text
    assert "doi = {10.5281/zenodo.1234567}" in text and "year = {2025}" in text
    assert text.count("{") == text.count("}")


def test_apa_and_cff(app, client):
    _corpus(app)
    apa = client.get("/api/v1/entries/nairobi/tweets/citation?format=apa").get_data(as_text=True)
    assert apa.strip() == ("Odhiambo, A., Mbeki, J., & Nairobi NLP Group (2025). Swahili Tweets Corpus (Version 2.1) "
                           "[Data set]. https://doi.org/10.5281/zenodo.1234567")
    cff = client.get("/api/v1/entries/nairobi/tweets/citation?format=cff")
    assert cff.mimetype == "application/yaml" and yaml.safe_load(cff.get_data(as_text=True)) == CFF


def test_citation_without_cff_uses_the_entry(app, client):
    _model(app)
    bib = client.get("/api/v1/entries/lagos/translator/citation").get_data(as_text=True)
    assert "author = {Adeyemi, Ngozi and 鈴木}" in bib and "title = {{Yorùbá–Hausa Translator}}" in bib
    assert "version = {0.3.0}" in bib and "url = {https://example.org/lagos/translator}" in bib
    apa = client.get("/api/v1/entries/lagos/translator/citation?format=apa").get_data(as_text=True)
    assert apa.startswith("Adeyemi, N., & 鈴木 (") and "[Computer software]" in apa
    cff = yaml.safe_load(client.get("/api/v1/entries/lagos/translator/citation?format=cff").get_data(as_text=True))
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software" and cff["title"] == "Yorùbá–Hausa Translator"
    assert cff["authors"] == [{"family-names": "Adeyemi", "given-names": "Ngozi"}, {"name": "鈴木"}]


def test_bibtex_escapes_special_characters(app, client):
    add_entry(app, "lab/odd", name="100% {weird} & co_op #1", authors=[{"name": "A\\B"}])
    bib = client.get("/api/v1/entries/lab/odd/citation").get_data(as_text=True)
    assert r"100\% \{weird\} \& co\_op \#1" in bib and r"A\textbackslash{}B" in bib


def test_citation_errors(app, client):
    _model(app)
    bad = client.get("/api/v1/entries/lagos/translator/citation?format=ris")
    assert bad.status_code == 400 and bad.get_json()["error"]["details"] == {"parameter": "format"}
    assert client.get("/api/v1/entries/no/such/citation").status_code == 404


def test_jsonld_of_a_dataset(app, client):
    _corpus(app)
    data = json.loads(client.get("/api/v1/entries/nairobi/tweets/jsonld").get_data(as_text=True))
    assert data["@context"] == "https://schema.org" and data["@type"] == "Dataset"
    assert data["name"] == "Tweets" and data["description"] == "Swahili tweets & replies."
    assert data["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert data["inLanguage"] == ["sw", "en"] and data["version"] == "2.1"
    assert data["author"] == [{"@type": "Person", "name": "Amina Odhiambo",
                               "identifier": "https://orcid.org/0000-0002-1825-0097",
                               "affiliation": {"@type": "Organization", "name": "Nairobi NLP"}}]
    assert data["codeRepository"] == "https://example.org/nairobi/tweets"
    assert data["dateModified"].startswith("20") and "https://doi.org/10.5281/zenodo.1234567" in data["identifier"]
    english = json.loads(client.get("/api/v1/entries/nairobi/tweets/jsonld?lang=en").get_data(as_text=True))
    assert english["name"] == "Tweets (English)"


def _page_jsonld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_entry_pages_embed_jsonld_for_a_model_and_a_dataset(app, client):
    _model(app)
    _corpus(app)
    html = client.get("/entries/lagos/translator").get_data(as_text=True)
    model = _page_jsonld(html)
    assert model["@type"] == "SoftwareSourceCode" and model["name"] == "Yorùbá–Hausa Translator"
    assert sorted(model["license"]) == ["https://spdx.org/licenses/Apache-2.0.html", "https://spdx.org/licenses/MIT.html"]
    assert model["inLanguage"] == ["yo", "ha"] and model["version"] == "0.3.0"
    assert [a["name"] for a in model["author"]] == ["Ngozi Adeyemi", "鈴木"]
    assert model["codeRepository"] == "https://example.org/lagos/translator" and "dateModified" in model
    assert model["description"].startswith("Translates </script>")  # parsed back intact …
    assert "</script><script>alert(1)" not in html  # … but never closes the block in the page
    dataset = _page_jsonld(client.get("/entries/nairobi/tweets").get_data(as_text=True))
    assert dataset["@type"] == "Dataset" and dataset["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert dataset["inLanguage"] == ["sw", "en"] and dataset["author"][0]["name"] == "Amina Odhiambo"


def test_entry_page_offers_citations(app, client):
    _corpus(app)
    html = client.get("/entries/nairobi/tweets").get_data(as_text=True)
    assert 'id="cite-bibtex"' in html and "@misc{nairobi_tweets_2025," in html
    assert "Odhiambo, A., Mbeki, J., &amp; Nairobi NLP Group (2025)" in html
    assert "/api/v1/entries/nairobi/tweets/croissant" in html


def test_croissant_for_datasets_only(app, client):
    _corpus(app)
    _model(app)
    resp = client.get("/api/v1/entries/nairobi/tweets/croissant")
    assert resp.status_code == 200 and resp.mimetype == "application/ld+json"
    data = json.loads(resp.get_data(as_text=True))
    assert data["@type"] == "sc:Dataset" and data["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert data["@context"]["@vocab"] == "https://schema.org/" and data["@context"]["@language"] == "sw"
    assert data["name"] == "Tweets" and data["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert data["citeAs"].startswith("@misc{nairobi_tweets_2025,") and data["creator"][0]["name"] == "Amina Odhiambo"
    assert data["distribution"][0]["contentUrl"] == "https://example.org/nairobi/tweets"
    other = client.get("/api/v1/entries/lagos/translator/croissant")
    assert other.status_code == 404 and other.get_json()["error"]["code"] == "not_a_dataset"


def test_dump_streams_every_public_entry_as_json_lines(app, client, api_tokens):
    _corpus(app)
    _model(app)
    add_entry(app, "lab/spam", name="Spam")
    assert client.post("/api/v1/entries/lab/spam/hide", json={"reason": "spam"},
                       headers=api_tokens["mod"]).status_code == 200
    resp = client.get("/api/v1/dump")
    assert resp.status_code == 200 and resp.mimetype == "application/x-ndjson"
    lines = resp.get_data(as_text=True).splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["slug"] for r in records] == ["nairobi/tweets", "lagos/translator"]
    entry = client.get("/api/v1/entries/nairobi/tweets").get_json()
    assert records[0] == entry


def test_citation_of_a_harvested_citation_cff(app, client, git_repo):
    """Through the real harvester: the sample corpus's CITATION.cff is what gets cited."""
    from pathlib import Path

    pytest.importorskip("harvesters.formats.cff", reason="the harvester does not read CITATION.cff yet")

    from tests.helpers import harvest_options, harvest_source

    sample = Path(__file__).resolve().parents[2] / "registry/sample_data/repos/sample-nairobi-nlp/swahili-tweets-corpus"
    files = {str(p.relative_to(sample)): p.read_bytes() for p in sample.rglob("*") if p.is_file()}
    path = git_repo(files, name="sample-nairobi-nlp/swahili-tweets-corpus")
    slug = harvest_source(app, source=str(path), options=harvest_options(app, operator=True)).slug
    base = f"/api/v1/entries/{slug}/citation"
    bib = client.get(base).get_data(as_text=True)
    assert "title = {{Swahili Tweets Sentiment Corpus (sample)}}" in bib
    assert "author = {Sample, Amina and Mfano, Baraka and Sample Nairobi NLP Lab}" in bib
    assert "year = {2024}" in bib and "doi = {10.5281/zenodo.0000001}" in bib
    apa = client.get(base + "?format=apa").get_data(as_text=True)
    assert apa.startswith("Sample, A., Mfano, B., & Sample Nairobi NLP Lab (2024). Swahili Tweets Sentiment Corpus "
                          "(sample) (Version 1.0.0) [Data set]. https://doi.org/10.5281/zenodo.0000001")
    cff = yaml.safe_load(client.get(base + "?format=cff").get_data(as_text=True))
    assert cff["title"] == "Swahili Tweets Sentiment Corpus (sample)" and cff["authors"][2] == {"name": "Sample Nairobi NLP Lab"}
    ld = _page_jsonld(client.get(f"/entries/{slug}").get_data(as_text=True))
    assert ld["@type"] == "Dataset" and [a["name"] for a in ld["author"]][:2] == ["Amina Sample", "Baraka Mfano"]
