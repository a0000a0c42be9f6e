"""The listers against fake services on loopback: pagination, conditional requests, rate limits, bad pages."""
from __future__ import annotations

import pytest

from harvesters import HarvestOptions
from harvesters.listers import (
    BadTarget,
    ListerClient,
    ListerSettings,
    ListingStopped,
    PageMemory,
    first_cursor,
    reset_politeness,
    walk,
)
from harvesters.listers.base import parse_link
from tests.harvesters import fake_apis as fa


@pytest.fixture(autouse=True)
def _clean_politeness():
    reset_politeness()
    yield
    reset_politeness()


@pytest.fixture
def served():
    """Start fake services; every one started is stopped after the test."""
    started = []

    def start(fake):
        started.append(fake.start())
        return fake

    yield start
    for fake in started:
        fake.stop()


def settings_for(fake=None, **overrides) -> ListerSettings:
    base = fake.base if fake else "http://127.0.0.1:9"
    values = dict(options=HarvestOptions(allow_private=True, read_timeout=5, connect_timeout=5), github_api=base,
                  gitee_api=base + "/api/v5", hf_endpoint=base, modelscope_url=base, page_size=3, host_interval=0,
                  max_wait=5)
    values.update(overrides)
    return ListerSettings(**values)


def listing(kind, target, settings, *, set_spec=None, memory=None, client=None):
    start = first_cursor(kind, target, settings=settings, set_spec=set_spec)
    return list(walk(kind, start=start, settings=settings, memory=memory, client=client))


def items_of(pages):
    return [item for page in pages for item in page.items]


def test_link_header_is_read_by_relation():
    header = '<https://api.example/x?page=2>; rel="next", <https://api.example/x?page=5>; rel="last"'
    assert parse_link(header, "next") == "https://api.example/x?page=2"
    assert parse_link(header, "last") == "https://api.example/x?page=5"
    assert parse_link("garbage, <x>", "next") is None


def test_github_organisation_in_link_pages_with_its_metadata(served):
    fake = served(fa.github({"acme": [fa.forge_repo(i, "acme") for i in range(1, 8)]}))
    pages = listing("github", "org:acme", settings_for(fake))
    assert [len(p.items) for p in pages] == [3, 3, 1]
    first = pages[0].items[0]
    assert first.url == "https://github.com/acme/repo1" and first.source_kind == "git" and first.key == "1"
    assert first.metadata["license"] == "MIT" and first.metadata["topics"] == ["nlp", "swahili"]
    assert first.metadata["description"] == "Repository number 1"
    assert pages[-1].next is None and all(p.etag for p in pages)
    assert fake.api_calls()[0].path == "/orgs/acme/repos"


def test_github_user_and_topic_targets(served):
    fake = served(fa.github({"amina": [fa.forge_repo(1, "amina")]}, topic=[fa.forge_repo(i, "x") for i in range(4)]))
    assert [i.url for i in items_of(listing("github", "user:amina", settings_for(fake)))] == [
        "https://github.com/amina/repo1"]
    assert len(items_of(listing("github", "topic:swahili", settings_for(fake)))) == 4
    assert fake.calls[-1].query["q"] == "topic:swahili"


@pytest.mark.parametrize("target", ["acme", "org:", "team:acme", "org:a b"])
def test_a_target_the_lister_does_not_understand_is_refused_before_anything_is_fetched(target):
    with pytest.raises(BadTarget):
        first_cursor("github", target, settings=settings_for())


def test_an_unchanged_listing_costs_one_conditional_request_per_page(served):
    fake = served(fa.github({"acme": [fa.forge_repo(i, "acme") for i in range(1, 8)]}))
    settings = settings_for(fake)
    pages = listing("github", "org:acme", settings)
    memory = {p.key: PageMemory(etag=p.etag, next=p.next) for p in pages}
    fake.calls.clear()
    again = listing("github", "org:acme", settings, memory=memory)
    assert [p.not_modified for p in again] == [True, True, True]
    assert len(fake.calls) == 3 and all(c.headers.get("if-none-match") for c in fake.calls)


def test_the_token_goes_to_its_api_only_and_never_into_an_error(served):
    fake = served(fa.github({"acme": [fa.forge_repo(i, "acme") for i in range(1, 8)]}))
    fake.fail_pages = {2}
    secret = "ghp_secret_token_value_123"
    with pytest.raises(ListingStopped) as stopped:
        listing("github", "org:acme", settings_for(fake, github_token=secret))
    assert fake.calls[0].headers["authorization"] == f"Bearer {secret}"
    assert secret not in str(stopped.value) and secret not in repr(settings_for(fake, github_token=secret))
    assert "failed to answer (500)" in str(stopped.value)
    other = served(fa.gitea({"org": [fa.forge_repo(1, "org")]}))
    listing("gitea", f"org:org@{other.base}", settings_for(fake, github_token=secret))
    assert "authorization" not in other.calls[0].headers


def test_a_500_half_way_stops_with_the_cursor_to_resume_at(served):
    fake = served(fa.github({"acme": [fa.forge_repo(i, "acme") for i in range(1, 8)]}))
    fake.fail_pages = {2}
    settings = settings_for(fake)
    start = first_cursor("github", "org:acme", settings=settings)
    got = []
    with pytest.raises(ListingStopped) as stopped:
        for page in walk("github", start=start, settings=settings):
            got.extend(page.items)
    assert len(got) == 3 and "page=2" in stopped.value.cursor
    fake.fail_pages = set()
    rest = items_of(list(walk("github", start=stopped.value.cursor, settings=settings)))
    assert sorted(i.key for i in got + rest) == [str(i) for i in range(1, 8)]


def test_rate_limit_answers_are_waited_for_or_stop_the_run(served):
    fake = served(fa.github({"acme": [fa.forge_repo(1, "acme")]}))
    fake.rate_limited = 2
    waits: list[float] = []
    settings = settings_for(fake)
    with ListerClient(settings, sleep=waits.append) as client:
        assert len(items_of(listing("github", "org:acme", settings, client=client))) == 1
    assert waits == [0.0, 0.0]

    def limited(call):
        return 403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"}, b"{}"

    blocked = served(fa.FakeServer(handle=limited))
    with pytest.raises(ListingStopped, match="asked us to wait"):
        listing("github", "org:acme", settings_for(blocked))


@pytest.mark.parametrize("fault, words", [
    ("broken_pages", "not valid JSON"),
    ("loop_pages", "already sent"),
])
def test_malformed_pages_and_repeating_cursors_stop_the_run(served, fault, words):
    fake = served(fa.github({"acme": [fa.forge_repo(i, "acme") for i in range(1, 8)]}))
    setattr(fake, fault, {2})
    with pytest.raises(ListingStopped, match=words) as stopped:
        listing("github", "org:acme", settings_for(fake))
    assert stopped.value.cursor


def test_pages_that_never_end_are_stopped(served):
    fake = served(fa.gitee({"acme": [fa.forge_repo(i, "acme", web="https://gitee.com") for i in range(3)]}))
    fake.endless = True
    with pytest.raises(ListingStopped, match="more than 5 pages"):
        listing("gitee", "org:acme", settings_for(fake, max_pages=5))


def test_a_renamed_organisation_is_followed_through_its_301(served):
    fake = served(fa.github({"new-name": [fa.forge_repo(1, "new-name")]}, moved={"old-name": "new-name"}))
    settings = settings_for(fake)
    with ListerClient(settings) as client:
        found = items_of(listing("github", "org:old-name", settings, client=client))
        assert client.moved_to and "/orgs/new-name/repos" in client.moved_to
    assert [i.url for i in found] == ["https://github.com/new-name/repo1"]


def test_private_addresses_are_refused_unless_allowed(served):
    fake = served(fa.github({"acme": [fa.forge_repo(1, "acme")]}))
    strict = settings_for(fake, options=HarvestOptions(allow_private=False))
    with pytest.raises(ListingStopped, match="private or local"):
        listing("github", "org:acme", strict)
    assert fake.calls == []


def test_a_next_page_on_another_host_is_not_followed(served):
    def handle(call):
        return 200, {"Content-Type": "application/json", "Link": '<http://127.0.0.2:1/x>; rel="next"'}, b"[]"

    fake = served(fa.FakeServer(handle=handle))
    with pytest.raises(ListingStopped, match="another host"):
        listing("github", "org:acme", settings_for(fake))


def test_gitee_numbered_pages_end_at_total_page(served):
    fake = served(fa.gitee({"acme": [fa.forge_repo(i, "acme", web="https://gitee.com") for i in range(7)]}))
    pages = listing("gitee", "org:acme", settings_for(fake))
    assert [len(p.items) for p in pages] == [3, 3, 1]
    assert items_of(pages)[0].url == "https://gitee.com/acme/repo0"
    assert [c.query["page"] for c in fake.calls] == ["1", "2", "3"]


def test_gitlab_group_with_its_subgroups(served):
    groups: dict = {}
    fake = served(fa.gitlab(groups))
    web = fake.base
    groups["lab"] = [fa.gitlab_project(i, "lab" if i < 3 else "lab/speech", web=web) for i in range(5)]
    found = items_of(listing("gitlab", f"{fake.base}/groups/lab", settings_for(fake)))
    assert len(found) == 5 and found[4].url == f"{web}/lab/speech/project4" and found[0].key == "1000"
    assert fake.calls[0].path == "/api/v4/groups/lab/projects" and fake.calls[0].query["include_subgroups"] == "true"
    with pytest.raises(BadTarget):
        first_cursor("gitlab", "lab", settings=settings_for(fake))


def test_gitea_organisation_by_url_or_name_at_an_instance(served):
    fake = served(fa.gitea({"org": [fa.forge_repo(i, "org", web="https://codeberg.org") for i in range(4)]}))
    by_url = items_of(listing("gitea", f"{fake.base}/org", settings_for(fake)))
    by_name = items_of(listing("gitea", f"org:org@{fake.base}", settings_for(fake)))
    assert [i.url for i in by_url] == [i.url for i in by_name] and len(by_url) == 4
    assert first_cursor("gitea", "org:x", settings=settings_for()).startswith("https://codeberg.org/api/v1/orgs/x/repos")


def test_hugging_face_author_models_then_datasets_with_cursor_links(served):
    fake = served(fa.huggingface({"lab": [fa.hub_model(i, "lab") for i in range(5)]},
                                 {"lab": [fa.hub_model(i, "lab", dataset=True) for i in range(2)]}))
    found = items_of(listing("huggingface", "author:lab", settings_for(fake)))
    assert len(found) == 7
    model, dataset = found[0], found[-1]
    assert model.url == f"{fake.base}/lab/model-0" and model.source_kind == "huggingface"
    assert dataset.url == f"{fake.base}/datasets/lab/data-1"
    assert model.metadata["license"] == "apache-2.0" and model.metadata["languages"] == ["sw"]
    assert model.metadata["task"] == "translation" and model.metadata["gated"] is False
    assert "cursor" in fake.calls[1].query
    language = first_cursor("huggingface", "language:yo", settings=settings_for(fake))
    assert "language=yo" in language


def test_modelscope_owner_pages_asked_with_a_json_body(served):
    fake = served(fa.modelscope({"damo": [fa.modelscope_model(i, "damo") for i in range(5)]}))
    found = items_of(listing("modelscope", "author:damo", settings_for(fake)))
    assert len(found) == 5 and found[0].url == f"{fake.base}/models/damo/model-0"
    assert found[0].metadata["license"] == "Apache License 2.0" and found[0].key == "model:5000"
    assert [c.method for c in fake.calls] == ["PUT", "PUT"]
    with pytest.raises(BadTarget):
        first_cursor("modelscope", "task:asr", settings=settings_for(fake))


def test_oai_pmh_records_with_resumption_tokens_and_deleted_records(served):
    records = [fa.oai_record(1), fa.oai_record(2), fa.oai_record(3, deleted=True), fa.oai_record(4, address=False),
               fa.oai_record(5)]
    fake = served(fa.oai_pmh(records))
    pages = listing("oai-pmh", f"{fake.base}/oai", settings_for(fake), set_spec="user-african-nlp")
    found = items_of(pages)
    assert [i.key for i in found] == ["oai:zenodo.org:1", "oai:zenodo.org:2", "oai:zenodo.org:3", "oai:zenodo.org:5"]
    assert found[2].deleted and sum(p.skipped for p in pages) == 1
    assert found[0].url == "https://zenodo.org/records/1" and found[0].metadata["name"] == "Corpus 1"
    assert "creativecommons.org" in found[0].metadata["license"]
    first = fake.api_calls()[0]
    assert first.query == {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "user-african-nlp"}
    assert fake.api_calls()[1].query == {"verb": "ListRecords", "resumptionToken": "p2"}


def test_oai_pmh_refuses_dtds_and_reads_its_errors(served):
    fake = served(fa.oai_pmh([]))
    assert items_of(listing("oai-pmh", f"{fake.base}/oai", settings_for(fake))) == []  # noRecordsMatch

    def entity(call):
        body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><OAI-PMH>&a;</OAI-PMH>'
        return 200, {"Content-Type": "text/xml"}, body

    bomb = served(fa.FakeServer(handle=entity))
    with pytest.raises(ListingStopped, match="DTD"):
        listing("oai-pmh", f"{bomb.base}/oai", settings_for(bomb))
    broken = served(fa.oai_pmh([fa.oai_record(i) for i in range(5)]))
    broken.broken_pages = {2}
    with pytest.raises(ListingStopped, match="not well-formed"):
        listing("oai-pmh", f"{broken.base}/oai", settings_for(broken))


def test_catalogue_pages_obey_robots_txt(served):
    fake = served(fa.oai_pmh([fa.oai_record(1)], robots="User-agent: *\nDisallow: /\nAllow: /oai\n"))
    # The longest match wins (RFC 9309): /oai is allowed, where the standard library's first match would refuse it.
    assert len(items_of(listing("oai-pmh", f"{fake.base}/oai", settings_for(fake)))) == 1
    reset_politeness()
    closed = served(fa.oai_pmh([fa.oai_record(1)], robots="User-agent: *\nDisallow: /o*\n"))
    with pytest.raises(ListingStopped, match="robots.txt"):
        listing("oai-pmh", f"{closed.base}/oai", settings_for(closed))
    assert [c.path for c in closed.calls] == ["/robots.txt"]


def test_ckan_package_search_rows_and_start_with_an_organisation(served):
    packages = [fa.ckan_package(i, "nlp-lab" if i % 2 else "other") for i in range(9)]
    fake = served(fa.ckan(packages))
    pages = listing("ckan", fake.base, settings_for(fake), set_spec="nlp-lab")
    found = items_of(pages)
    assert len(found) == 4 and found[0].url == f"{fake.base}/dataset/dataset-1" and found[0].key == "pkg-0001"
    assert found[0].metadata["homepage"] == "https://example.org/data/1" and found[0].metadata["topics"] == ["hausa"]
    queries = [c.query for c in fake.api_calls()]
    assert queries[0]["fq"] == "organization:nlp-lab" and [q["start"] for q in queries] == ["0", "3"]


def test_a_lister_tripping_over_a_page_stops_the_run_in_plain_words(served, monkeypatch, caplog):
    from harvesters.listers import github

    fake = served(fa.github({"acme": [fa.forge_repo(1, "acme")]}))

    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(github, "forge_items", broken)
    with pytest.raises(ListingStopped, match="could not be read \\(KeyError\\)") as stopped:
        listing("github", "org:acme", settings_for(fake))
    assert stopped.value.cursor and "the github lister failed" in caplog.text
