"""The page harvester, against pages served from a local web site (private addresses allowed per test)."""
import json
import socket
import time

import pytest

from harvesters import HarvestError, HarvestOptions, UnsafeSource, get_harvester, netguard
from harvesters.formats.html_meta import parse_html
from harvesters.page import page_slug

LOCAL = HarvestOptions(allow_private=True, host_interval=0, timeout=20)

JSONLD = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "Organization", "name": "Sample Lab"},
        {"@type": "Dataset", "name": "Tiny Swahili Sentiment Data",
         "description": "Ten thousand Swahili tweets labelled for sentiment, a sample written for the registry's tests.",
         "license": "https://creativecommons.org/licenses/by/4.0/", "inLanguage": ["sw", "en"],
         "keywords": "swahili, sentiment", "version": "1.2", "identifier": "https://doi.org/10.5281/zenodo.0000009",
         "creator": [{"@type": "Person", "givenName": "Amina", "familyName": "Sample",
                      "@id": "https://orcid.org/0000-0002-1825-0097",
                      "affiliation": {"@type": "Organization", "name": "Sample Nairobi NLP Lab"}}]},
    ],
}
PAGE = f"""<!doctype html>
<html lang="en"><head><title>Tiny data — Sample Lab</title>
<meta name="description" content="A sample page about a tiny Swahili sentiment dataset, for tests.">
<meta property="og:title" content="Tiny Swahili Sentiment">
<meta name="ai-commons-claim" content="acc-7-Zm9vYmFyYmF6cXV4_-abc">
<link rel="canonical" href="/data/tiny.html">
<link rel="alternate" hreflang="sw" href="/sw/data/tiny.html">
<link rel="alternate" hreflang="x-default" href="/data/tiny.html">
<script type="application/ld+json">{json.dumps(JSONLD)}</script>
</head><body><h1>Tiny data</h1></body></html>"""
PAGE_SW = """<html lang="sw"><head><title>Data ndogo</title>
<meta name="description" content="Ukurasa wa mfano kuhusu mkusanyiko mdogo wa tweets za Kiswahili, kwa majaribio.">
</head></html>"""


@pytest.fixture
def harvester():
    return get_harvester("page")


def test_json_ld_graph_open_graph_and_hreflang_translation(harvester, site):
    url = site.page("/data/tiny.html", PAGE, headers={"ETag": '"v1"'})
    site.page("/sw/data/tiny.html", PAGE_SW)
    record = harvester.harvest(url, options=LOCAL)
    assert record.source_kind == "page" and record.slug_hint == "data/tiny"
    assert record.version_id == '"v1"'
    fields = record.fields
    assert fields["name"] == "Tiny Swahili Sentiment Data"
    assert fields["summary"].startswith("Ten thousand Swahili tweets")
    assert fields["kind"] == "dataset" and fields["license"] == "CC-BY-4.0" and fields["version"] == "1.2"
    assert fields["language"] == "en" and fields["languages"] == ["sw", "en"]
    assert fields["tags"] == ["swahili", "sentiment"]
    assert fields["homepage"] == url  # the canonical link, made absolute
    assert fields["authors"] == [{"name": "Amina Sample", "orcid": "https://orcid.org/0000-0002-1825-0097",
                                  "affiliation": "Sample Nairobi NLP Lab"}]
    assert fields["citation"] == {"doi": "10.5281/zenodo.0000009"}
    assert record.provenance["language"] == {"origin": "<html lang>"}
    assert record.provenance["name"] == {"origin": "JSON-LD"}
    assert record.claim_token == "acc-7-Zm9vYmFyYmF6cXV4_-abc"
    assert record.translations == {"sw": {
        "name": "Data ndogo",
        "summary": "Ukurasa wa mfano kuhusu mkusanyiko mdogo wa tweets za Kiswahili, kwa majaribio.",
        "description": "Ukurasa wa mfano kuhusu mkusanyiko mdogo wa tweets za Kiswahili, kwa majaribio.",
        "origin": site.url("/sw/data/tiny.html")}}
    assert record.warnings == []
    agent = site.requests[0]["headers"]["User-Agent"]
    assert agent.startswith("AICommonsRegistry/")


def test_open_graph_and_meta_description_without_json_ld(harvester, site):
    url = site.page("/p", '<html lang="fr"><head><title>Titre</title><meta property="og:title" content="Outil wolof">'
                          '<meta property="og:description" content="Un outil d\'exemple pour écrire le wolof au '
                          'clavier, écrit pour les tests du registre."><meta name="keywords" content="wolof, clavier">'
                          '<link rel="license" href="https://spdx.org/licenses/MIT.html"></head></html>')
    record = harvester.harvest(url, options=LOCAL)
    assert record.fields["name"] == "Outil wolof"
    assert record.provenance["name"]["origin"] == "og:title"
    assert record.fields["summary"].startswith("Un outil d'exemple")
    assert record.fields["license"] == "MIT" and record.fields["tags"] == ["wolof", "clavier"]
    assert record.fields["language"] == "fr" and record.fields["kind"] == "project"
    assert record.fields["languages"] == ["fr", "wo"] and record.provenance["languages"]["inferred"] is True


def test_a_json_ld_document_itself_is_read(harvester, site):
    croissant = {"@context": {"@vocab": "https://schema.org/"}, "@type": "sc:Dataset", "name": "Darija clips",
                 "conformsTo": "http://mlcommons.org/croissant/1.0", "license": "CC0-1.0",
                 "description": "Sample Croissant metadata for a corpus of Moroccan Darija speech clips.",
                 "recordSet": [{"@type": "cr:RecordSet", "name": "clips", "field": [{"name": "text"}]}]}
    site.routes["/croissant"] = (200, {"Content-Type": "application/ld+json"}, json.dumps(croissant).encode())
    record = harvester.harvest(site.url("/croissant"), options=LOCAL)
    assert record.fields["name"] == "Darija clips" and record.fields["license"] == "CC0-1.0"
    assert record.details["record_sets"]["value"] == [{"name": "clips", "fields": ["text"]}]


def test_broken_json_ld_is_a_warning(harvester, site):
    url = site.page("/b", '<html><head><title>Broken but fine</title>'
                          '<script type="application/ld+json">{"@type": "Dataset", </script></head></html>')
    record = harvester.harvest(url, options=LOCAL)
    assert record.fields["name"] == "Broken but fine"
    assert record.warnings and record.warnings[0].startswith("a JSON-LD block is not valid JSON")


def test_private_addresses_are_refused_unless_allowed(harvester, site):
    url = site.page("/p", "<html><title>x</title></html>")
    with pytest.raises(UnsafeSource, match=r"127\.0\.0\.1 is a private or local address"):
        harvester.harvest(url, options=HarvestOptions(host_interval=0))
    assert site.requests == []  # refused before any connection


@pytest.fixture
def fake_dns(monkeypatch):
    """site.example resolves to the local site (treated as public); inside.example to a private address."""
    real = socket.getaddrinfo
    names = {"site.example": "127.0.0.1", "inside.example": "10.0.0.7", "mapped.example": "::ffff:127.0.0.1"}

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            family = socket.AF_INET6 if ":" in names[host] else socket.AF_INET
            return [(family, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(netguard.socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(netguard, "is_public_address", lambda a: a == "127.0.0.1")
    return names


def test_every_redirect_is_checked_again(harvester, site, fake_dns):
    port = site.server.server_address[1]
    site.routes["/go"] = (302, {"Location": f"http://inside.example:{port}/secret"}, b"")
    with pytest.raises(UnsafeSource, match=r"inside.example is a private or local address \(10\.0\.0\.7\)"):
        harvester.harvest(f"http://site.example:{port}/go", options=HarvestOptions(host_interval=0))
    assert [r["path"] for r in site.requests] == ["/robots.txt", "/go"]


def test_ipv4_mapped_and_link_local_addresses_are_not_public():
    for address in ("::ffff:127.0.0.1", "::ffff:10.0.0.1", "169.254.169.254", "100.64.0.1", "fe80::1",
                    "2002:7f00:1::1", "64:ff9b::a00:1", "0.0.0.0", "::1"):
        assert not netguard.is_public_address(address), address
    assert netguard.is_public_address("93.184.216.34")


def test_at_most_five_redirects(harvester, site):
    for n in range(7):
        site.routes[f"/r{n}"] = (301, {"Location": f"/r{n + 1}"}, b"")
    site.page("/r7", "<html><title>end</title></html>")
    with pytest.raises(HarvestError, match="redirects more than 5 times"):
        harvester.harvest(site.url("/r0"), options=LOCAL)
    record = harvester.harvest(site.url("/r2"), options=LOCAL)
    assert record.fields["name"] == "end"


def test_size_cap_and_timeouts(harvester, site):
    site.page("/big", "<html>" + "x" * 5000 + "</html>")
    with pytest.raises(HarvestError, match="larger than the 1 KB limit"):
        harvester.harvest(site.url("/big"), options=HarvestOptions(allow_private=True, host_interval=0,
                                                                    max_file_bytes=1024))

    def slow(_handler):
        time.sleep(1.5)
        return 200, {"Content-Type": "text/html"}, b"<html></html>"

    site.routes["/slow"] = slow
    with pytest.raises(HarvestError, match="did not answer in time"):
        harvester.harvest(site.url("/slow"), options=HarvestOptions(allow_private=True, host_interval=0,
                                                                     read_timeout=0.5))


def test_robots_txt_is_honoured(harvester, site):
    site.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"},
                                  b"User-agent: AICommonsRegistry\nDisallow: /private/\n")
    site.page("/private/x", "<html><title>no</title></html>")
    site.page("/public/x", "<html><title>yes</title></html>")
    with pytest.raises(HarvestError, match="robots.txt asks robots not to read this page"):
        harvester.harvest(site.url("/private/x"), options=LOCAL)
    assert harvester.harvest(site.url("/public/x"), options=LOCAL).fields["name"] == "yes"
    assert [r["path"] for r in site.requests].count("/robots.txt") == 1  # cached per site


@pytest.mark.parametrize("status", [401, 403])
def test_a_locked_robots_txt_refuses_every_page(harvester, site, status):
    site.routes["/robots.txt"] = (status, {"Content-Type": "text/plain"}, b"")
    site.page("/", "<html><title>no</title></html>")
    with pytest.raises(HarvestError, match="robots.txt asks robots not to read this page"):
        harvester.harvest(site.url("/"), options=LOCAL)


def test_requests_to_one_host_are_spaced(harvester, site):
    site.page("/a", "<html><title>a</title></html>")
    options = HarvestOptions(allow_private=True, host_interval=0.4)
    harvester.harvest(site.url("/a"), options=options)
    harvester.harvest(site.url("/a"), options=options)
    times = [r["time"] for r in site.requests]
    assert len(times) == 3  # robots.txt once, the page twice
    assert all(later - earlier >= 0.35 for earlier, later in zip(times, times[1:], strict=False))


def test_head_uses_conditional_requests(harvester, site):
    def conditional(handler):
        if handler.headers.get("If-None-Match") == '"v2"':
            return 304, {"ETag": '"v2"'}, b""
        return 200, {"ETag": '"v2"', "Content-Type": "text/html"}, b"<html></html>"

    site.routes["/c"] = conditional
    assert harvester.head(site.url("/c"), options=LOCAL) == '"v2"'
    known = HarvestOptions(allow_private=True, host_interval=0, known_version='"v2"')
    assert harvester.head(site.url("/c"), options=known) == '"v2"'
    heads = [r for r in site.requests if r["path"] == "/c"]
    assert [r["method"] for r in heads] == ["HEAD", "HEAD"]
    assert heads[1]["headers"]["If-None-Match"] == '"v2"'
    site.page("/lm", "<html></html>", headers={"Last-Modified": "Tue, 03 Feb 2026 10:00:00 GMT"})
    assert harvester.head(site.url("/lm"), options=LOCAL) == "lm:Tue, 03 Feb 2026 10:00:00 GMT"


@pytest.mark.parametrize("status, words", [(404, "not found"), (403, "refused access"), (500, "failed to answer"),
                                           (429, "slow down")])
def test_error_answers_are_plain_words(harvester, site, status, words):
    site.routes["/e"] = (status, {"Content-Type": "text/html"}, b"<html></html>")
    with pytest.raises(HarvestError, match=words):
        harvester.harvest(site.url("/e"), options=LOCAL)


@pytest.mark.parametrize("source, words", [
    ("ftp://example.org/x", "only http:// and https:// pages"),
    ("file:///etc/passwd", "only http:// and https:// pages"),
    ("https://user:pw@example.org/", "user name or password"),
    ("https://example.org/a b", "spaces or control characters"),
    ("/etc/passwd", "only http:// and https:// pages"),
])
def test_unsafe_page_sources_are_refused(harvester, source, words):
    with pytest.raises(UnsafeSource, match=words):
        harvester.harvest(source, options=LOCAL)


def test_not_a_web_page(harvester, site):
    site.routes["/img"] = (200, {"Content-Type": "image/png"}, b"\x89PNG")
    with pytest.raises(HarvestError, match="answers with image/png, not a web page"):
        harvester.harvest(site.url("/img"), options=LOCAL)


def test_page_slugs():
    assert page_slug("https://example.org/models/tiny.html") == "models/tiny"
    assert page_slug("https://example.org/tiny") == "example.org/tiny"
    assert page_slug("https://lab.example.org/") == "lab.example.org/lab.example.org"


def test_html_meta_tolerates_malformed_markup():
    meta = parse_html('<html lang="pt_BR"><title>Unclosed <meta name=description content="d">'
                      '<![if !IE]><script type="application/ld+json">{}')
    assert meta.lang == "pt-BR"
    assert meta.jsonld == ["{}"] or meta.jsonld == []
