"""Atom feeds, the sitemap with hreflang alternates, and OAI-PMH 2.0, read as XML."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest
from sqlmodel import select

from registry.db import write_session
from registry.models import Entry
from registry.views import oai
from tests.helpers import add_entry

ATOM = "{http://www.w3.org/2005/Atom}"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
O = "{http://www.openarchives.org/OAI/2.0/}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _xml(resp) -> ET.Element:
    assert resp.status_code == 200, resp.status_code
    return ET.fromstring(resp.get_data())


@pytest.fixture
def entries(app):
    """Five entries whose last change is on 1, 2, 3, 4 and 5 March 2026."""
    add_entry(app, "nairobi/sentiment", kind="model", name="Swahili Sentiment", summary="Sentiment\x0b for Swahili.",
              language="en", languages=["sw"], tasks=["text-classification"], authors=[{"name": "Amina"}],
              translations={"sw": {"name": "Hisia za Kiswahili", "summary": "Uchambuzi wa hisia.",
                                   "description": "", "origin": "README.sw.md"}})
    add_entry(app, "nairobi/tweets", kind="dataset", name="Tweets", language="sw", languages=["sw"], license="CC0-1.0")
    add_entry(app, "cairo/dialects", kind="model", name="Arabic Dialects", language="ar", languages=["ar"])
    add_entry(app, "pune/ocr", kind="project", name="Hindi OCR", language="hi", languages=["hi"])
    add_entry(app, "tokyo/summarizer", kind="model", name="要約", language="ja", languages=["ja"])
    with write_session(app) as s:
        for day, slug in enumerate(("nairobi/sentiment", "nairobi/tweets", "cairo/dialects", "pune/ocr",
                                    "tokyo/summarizer"), start=1):
            entry = s.exec(select(Entry).where(Entry.slug == slug)).one()
            entry.updated_at = datetime(2026, 3, day, 12, 0, tzinfo=timezone.utc)
            s.add(entry)


def test_atom_feed_of_newest_entries(client, entries):
    resp = client.get("/feeds/entries.atom")
    assert resp.mimetype == "application/atom+xml"
    feed = _xml(resp)
    assert feed.tag == f"{ATOM}feed" and feed.find(f"{ATOM}updated").text == "2026-03-05T12:00:00Z"
    items = feed.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in items][:2] == ["要約", "Hindi OCR"]
    sentiment = items[-1]
    assert sentiment.get(XML_LANG) == "en" and sentiment.find(f"{ATOM}summary").text == "Sentiment for Swahili."
    assert sentiment.find(f"{ATOM}id").text == "http://localhost/entries/nairobi/sentiment"
    alternates = {link.get("hreflang"): link.get("href") for link in sentiment.findall(f"{ATOM}link")}
    assert alternates["sw"] == "http://localhost/entries/nairobi/sentiment?lang=sw"
    assert sentiment.find(f"{ATOM}author/{ATOM}name").text == "Amina"


def test_atom_feed_per_language_shows_that_language(client, entries):
    feed = _xml(client.get("/feeds/languages/sw.atom"))
    titles = {e.find(f"{ATOM}title").text: e.get(XML_LANG) for e in feed.findall(f"{ATOM}entry")}
    assert titles == {"Hisia za Kiswahili": "sw", "Tweets": "sw"}
    assert feed.get(XML_LANG) == "sw"
    english = _xml(client.get("/feeds/entries.atom?lang=sw"))
    assert "Hisia za Kiswahili" in [e.find(f"{ATOM}title").text for e in english.findall(f"{ATOM}entry")]
    assert client.get("/feeds/languages/not-a-language!.atom").status_code == 404


def test_sitemap_lists_every_language_version(client, entries):
    resp = client.get("/sitemap.xml")
    assert resp.mimetype == "application/xml"
    urls = {u.find(f"{SM}loc").text: u for u in _xml(resp).findall(f"{SM}url")}
    assert "http://localhost/" in urls and "http://localhost/entries/tokyo/summarizer" in urls
    page = urls["http://localhost/entries/nairobi/sentiment"]
    assert page.find(f"{SM}lastmod").text == "2026-03-01T12:00:00Z"
    alternates = {a.get("hreflang"): a.get("href") for a in page.findall(f"{XHTML}link")}
    assert alternates == {"en": "http://localhost/entries/nairobi/sentiment",
                          "sw": "http://localhost/entries/nairobi/sentiment?lang=sw"}
    assert "http://localhost/entries/nairobi/sentiment?lang=sw" in urls
    assert urls["http://localhost/entries/tokyo/summarizer"].findall(f"{XHTML}link") == []


def _oai(client, **args) -> ET.Element:
    resp = client.get("/oai", query_string=args)
    assert resp.mimetype == "text/xml"
    root = _xml(resp)
    assert root.tag == f"{O}OAI-PMH" and root.find(f"{O}responseDate") is not None
    return root


def _error(root) -> str | None:
    err = root.find(f"{O}error")
    return err.get("code") if err is not None else None


def test_identify_formats_and_sets(client, entries):
    root = _oai(client, verb="Identify")
    ident = root.find(f"{O}Identify")
    assert ident.find(f"{O}protocolVersion").text == "2.0"
    assert ident.find(f"{O}baseURL").text == "http://localhost/oai"
    assert ident.find(f"{O}earliestDatestamp").text == "2026-03-01T12:00:00Z"
    assert ident.find(f"{O}granularity").text == "YYYY-MM-DDThh:mm:ssZ"
    assert root.find(f"{O}request").get("verb") == "Identify"
    formats = _oai(client, verb="ListMetadataFormats").findall(f"{O}ListMetadataFormats/{O}metadataFormat")
    assert [f.find(f"{O}metadataPrefix").text for f in formats] == ["oai_dc"]
    sets = _oai(client, verb="ListSets").findall(f"{O}ListSets/{O}set")
    assert [s.find(f"{O}setSpec").text for s in sets] == ["kind:model", "kind:dataset", "kind:project"]


def test_list_records_pages_with_resumption_tokens(client, entries, monkeypatch):
    monkeypatch.setattr(oai, "PAGE_SIZE", 2)
    seen, token, pages = [], None, 0
    while True:
        args = {"verb": "ListRecords", "resumptionToken": token} if token else {"verb": "ListRecords",
                                                                                  "metadataPrefix": "oai_dc"}
        root = _oai(client, **args)
        records = root.findall(f"{O}ListRecords/{O}record")
        seen += [r.find(f"{O}header/{O}identifier").text for r in records]
        pages += 1
        rt = root.find(f"{O}ListRecords/{O}resumptionToken")
        assert rt is not None and rt.get("completeListSize") == "5" and rt.get("cursor") == str(2 * (pages - 1))
        token = rt.text
        if not token:
            break
    assert pages == 3
    assert seen == [f"oai:localhost:{s}" for s in ("nairobi/sentiment", "nairobi/tweets", "cairo/dialects",
                                                   "pune/ocr", "tokyo/summarizer")]


def test_dublin_core_record(client, entries):
    root = _oai(client, verb="GetRecord", identifier="oai:localhost:nairobi/sentiment", metadataPrefix="oai_dc")
    record = root.find(f"{O}GetRecord/{O}record")
    header = record.find(f"{O}header")
    assert header.find(f"{O}datestamp").text == "2026-03-01T12:00:00Z"
    assert header.find(f"{O}setSpec").text == "kind:model"
    dc = record.find(f"{O}metadata/{{http://www.openarchives.org/OAI/2.0/oai_dc/}}dc")
    titles = {t.get(XML_LANG): t.text for t in dc.findall(f"{DC}title")}
    assert titles == {"en": "Swahili Sentiment", "sw": "Hisia za Kiswahili"}
    assert dc.find(f"{DC}creator").text == "Amina" and dc.find(f"{DC}type").text == "Software"
    assert dc.find(f"{DC}language").text == "sw" and dc.find(f"{DC}subject").text == "text-classification"
    assert dc.find(f"{DC}identifier").text == "http://localhost/entries/nairobi/sentiment"


def test_from_until_and_sets_select_records(client, entries):
    def ids(**args):
        root = _oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **args)
        return [h.find(f"{O}identifier").text.rsplit(":", 1)[1] for h in root.findall(f"{O}ListIdentifiers/{O}header")]

    assert ids(**{"from": "2026-03-02", "until": "2026-03-03"}) == ["nairobi/tweets", "cairo/dialects"]
    assert ids(**{"from": "2026-03-04T12:00:00Z"}) == ["pune/ocr", "tokyo/summarizer"]
    assert ids(until="2026-03-01T12:00:00Z") == ["nairobi/sentiment"]
    assert ids(set="kind:model") == ["nairobi/sentiment", "cairo/dialects", "tokyo/summarizer"]
    assert ids(set="kind:dataset", **{"from": "2026-03-02"}) == ["nairobi/tweets"]


@pytest.mark.parametrize("args, code", [
    ({}, "badVerb"),
    ({"verb": "Dance"}, "badVerb"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "colour": "red"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-03-02", "until": "2026-03-01T00:00:00Z"},
     "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2026-03-03", "until": "2026-03-01"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "kind:robot"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2030-01-01"}, "noRecordsMatch"),
    ({"verb": "ListRecords", "resumptionToken": "garbage!"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "eyJwIjoib2FpX2RjIiwiZiI6NX0"}, "badResumptionToken"),  # "f": 5
    ({"verb": "ListRecords", "resumptionToken": "eyJwIjoib2FpX2RjIiwiYyI6WyJ4IiwieSJdfQ"}, "badResumptionToken"),
    ({"verb": "ListRecords", "resumptionToken": "x", "metadataPrefix": "oai_dc"}, "badArgument"),
    ({"verb": "GetRecord", "identifier": "oai:localhost:no/such", "metadataPrefix": "oai_dc"}, "idDoesNotExist"),
    ({"verb": "GetRecord", "identifier": "oai:localhost:nairobi/tweets", "metadataPrefix": "x"},
     "cannotDisseminateFormat"),
    ({"verb": "ListMetadataFormats", "identifier": "oai:elsewhere:nairobi/tweets"}, "idDoesNotExist"),
    # NUL is refused as everywhere (issue 29), in OAI-PMH's words.
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "kind:\x00"}, "badArgument"),
    ({"verb": "Identify\x00"}, "badArgument"),
])
def test_oai_errors(client, entries, args, code):
    root = _oai(client, **args)
    assert _error(root) == code
    if code in ("badVerb", "badArgument"):
        assert root.find(f"{O}request").attrib == {}


def test_repeated_argument_and_post(client, entries):
    resp = client.get("/oai?verb=Identify&verb=Identify")
    assert _error(_xml(resp)) == "badArgument"
    posted = client.post("/oai", data={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "set": "kind:project"})
    headers = _xml(posted).findall(f"{O}ListIdentifiers/{O}header")
    assert [h.find(f"{O}identifier").text for h in headers] == ["oai:localhost:pune/ocr"]


def test_api_docs_page(client):
    resp = client.get("/api/docs")
    assert resp.status_code == 200 and "openapi.json" in resp.get_data(as_text=True)


@pytest.fixture
def collection(app, entries):
    """A public collection `swahili-nlp` with two entries, and an unlisted one."""
    from registry.services import OPERATOR
    from registry.services.collection_items import add_item
    from registry.services.collections import create_collection

    with write_session(app) as s:
        create_collection(s, actor=OPERATOR, title="Swahili NLP", slug="swahili-nlp", language="en")
        create_collection(s, actor=OPERATOR, title="Drafts", slug="drafts", visibility="unlisted")
    with write_session(app) as s:
        for slug in ("nairobi/tweets", "nairobi/sentiment"):
            add_item(s, slug="swahili-nlp", actor=OPERATOR, entry=slug)
        add_item(s, slug="drafts", actor=OPERATOR, entry="pune/ocr")


def test_collections_are_oai_sets(client, collection):
    sets = {s.find(f"{O}setSpec").text: s.find(f"{O}setName").text
            for s in _oai(client, verb="ListSets").findall(f"{O}ListSets/{O}set")}
    assert sets["collection:swahili-nlp"] == "Swahili NLP" and "collection:drafts" not in sets
    root = _oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="collection:swahili-nlp")
    headers = root.findall(f"{O}ListIdentifiers/{O}header")
    assert [h.find(f"{O}identifier").text for h in headers] == ["oai:localhost:nairobi/sentiment",
                                                                "oai:localhost:nairobi/tweets"]
    assert [s.text for s in headers[0].findall(f"{O}setSpec")] == ["kind:model", "collection:swahili-nlp"]
    assert _error(_oai(client, verb="ListRecords", metadataPrefix="oai_dc", set="collection:drafts")) == "badArgument"


def test_sitemap_lists_public_collections(client, collection):
    locs = [u.find(f"{SM}loc").text for u in _xml(client.get("/sitemap.xml")).findall(f"{SM}url")]
    assert "http://localhost/collections/swahili-nlp" in locs and "http://localhost/collections/drafts" not in locs


def test_any_arguments_get_well_formed_oai_answers(app, client):
    """Whatever a harvester sends, /oai answers 200 with well-formed OAI-PMH (an error element at worst)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    add_entry(app, "lab/one", name="One")
    keys = st.sampled_from(["verb", "metadataPrefix", "from", "until", "set", "identifier", "resumptionToken", "x"])
    values = st.one_of(st.sampled_from(["ListRecords", "ListIdentifiers", "GetRecord", "ListSets", "Identify",
                                        "ListMetadataFormats", "oai_dc", "kind:model", "2026-01-01",
                                        "2026-01-01T00:00:00Z", "oai:localhost:lab/one"]),
                       st.text(max_size=30))

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(args=st.dictionaries(keys, values, max_size=5))
    def check(args):
        resp = client.get("/oai", query_string=args)
        assert resp.status_code == 200
        root = ET.fromstring(resp.get_data())
        assert root.tag == f"{O}OAI-PMH"

    check()
