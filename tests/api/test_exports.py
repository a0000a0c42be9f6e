"""Dumps: `flask export` (JSON Lines and JSON-LD) and `flask import` into an empty registry."""
from __future__ import annotations

import json
import shutil
import uuid

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from registry import create_app
from registry.db import get_engine, write_session
from registry.models import Entry, FacetValue, Revision, Source
from tests.conftest import _server_url
from tests.helpers import add_entry

VOLATILE = {"revision", "updated_at"}


@pytest.fixture
def empty_app(request, tmp_path):
    """A second registry on its own, freshly migrated, empty database."""
    pg = request.getfixturevalue("postgres_databases")
    if pg is not None:
        name = pg.create()
        url = _server_url(name)
    else:
        shutil.copyfile(request.getfixturevalue("template_db"), tmp_path / "other.db")
        url = f"sqlite:///{tmp_path / 'other.db'}"
    other = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "other",
                        "INSTANCE_PATH": str(tmp_path / "other-instance")})
    yield other
    get_engine(other).dispose()
    if pg is not None:
        pg.drop(name)


def _fill(app, client):
    add_entry(app, "nairobi/tweets", kind="dataset", name="Tweets", summary="Swahili tweets.", language="sw",
              languages=["sw"], license="CC-BY-4.0", tasks=["text-classification"], region="KE",
              authors=[{"name": "Amina Odhiambo", "orcid": "0000-0002-1825-0097"}],
              citation={"doi": "10.5281/zenodo.1", "cff": {"cff-version": "1.2.0", "title": "Tweets"}},
              translations={"en": {"name": "Tweets", "summary": "Tweets in Swahili.", "description": "Long text.",
                                   "origin": "README.en.md"}})
    add_entry(app, "lagos/translator", kind="model", name="Translator", language="en", languages=["yo", "ha"],
              license="MIT OR Apache-2.0", frameworks=["pytorch"], description="# Translator\n\nText.")
    add_entry(app, "open/harness", kind="project", name="评测工具", summary="多语言评测。", language="zh-Hans",
              license="Apache-2.0 OR LicenseRef-harness-terms")  # a card's `license: other` is kept so
    add_entry(app, "lab/hidden", name="Hidden")
    with write_session(app) as s:
        hidden = s.exec(select(Entry).where(Entry.slug == "lab/hidden")).one()
        hidden.hidden = True
        s.add(hidden)
    return {e["slug"]: e for e in map(json.loads, client.get("/api/v1/dump").get_data(as_text=True).splitlines())}


def _comparable(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k not in VOLATILE}


def test_jsonl_round_trip_into_an_empty_registry(app, client, empty_app, tmp_path):
    before = _fill(app, client)
    assert sorted(before) == ["lagos/translator", "nairobi/tweets", "open/harness"]
    dump = tmp_path / "dump.jsonl"
    out = app.test_cli_runner().invoke(args=["export", "--format", "jsonl", "--output", str(dump)])
    assert out.exit_code == 0, out.output
    lines = dump.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and {json.loads(line)["slug"] for line in lines} == set(before)

    result = empty_app.test_cli_runner().invoke(args=["import", str(dump)])
    assert result.exit_code == 0, result.output
    assert "Imported 3 entries" in result.output
    other = empty_app.test_client()
    after = {e["slug"]: e for e in map(json.loads, other.get("/api/v1/dump").get_data(as_text=True).splitlines())}
    assert {s: _comparable(e) for s, e in after.items()} == {s: _comparable(e) for s, e in before.items()}
    assert all(after[s]["updated_at"] == before[s]["updated_at"] for s in before)
    # Loaded through the change path: a revision each, facet rows, the search index.
    with write_session(empty_app) as s:
        assert s.exec(select(func.count()).select_from(Revision)).one() == 3
        assert {r.author for r in s.exec(select(Revision))} == {"import"}
        assert s.exec(select(func.count()).select_from(FacetValue).where(FacetValue.facet == "license",
                                                                          FacetValue.value == "MIT")).one() == 1
        assert s.exec(select(func.count()).select_from(Source)).one() == 3
    assert other.get("/api/v1/entries?q=评测").get_json()["items"][0]["slug"] == "open/harness"
    assert other.get("/api/v1/entries?license=Apache-2.0").get_json()["total"] == 2
    assert other.get("/api/v1/entries?license=LicenseRef-harness-terms").get_json()["total"] == 1
    # Exported again, the same bytes for every entry but the two that say when it was written here.
    again_dump = [json.loads(line) for line in other.get("/api/v1/dump").get_data(as_text=True).splitlines()]
    assert [_comparable(e) for e in again_dump] == [_comparable(json.loads(line)) for line in lines]
    # Importing the same dump again changes nothing.
    again = empty_app.test_cli_runner().invoke(args=["import", str(dump)])
    assert again.exit_code == 0 and "Imported 0 entries, skipped 3" in again.output


def test_export_writes_jsonld_to_stdout_and_it_loads_back(app, client, empty_app, tmp_path):
    _fill(app, client)
    out = app.test_cli_runner().invoke(args=["export", "--format", "jsonld"])
    assert out.exit_code == 0
    doc = json.loads(out.stdout)
    assert doc["@context"] == "https://schema.org" and len(doc["@graph"]) == 3
    by_type = {node["identifier"][0]: node["@type"] for node in doc["@graph"]}
    assert by_type == {"nairobi/tweets": "Dataset", "lagos/translator": "SoftwareSourceCode",
                       "open/harness": "SoftwareSourceCode"}
    path = tmp_path / "dump.jsonld"
    path.write_text(out.stdout, encoding="utf-8")
    result = empty_app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 0 and "Imported 3 entries" in result.output
    model = empty_app.test_client().get("/api/v1/entries/lagos/translator").get_json()
    assert model["kind"] == "model" and model["license"] in ("MIT OR Apache-2.0", "Apache-2.0 OR MIT")
    assert model["languages"] == ["yo", "ha"]


def test_import_reports_bad_records_and_loads_the_rest(empty_app, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"slug": "ok/one", "name": "One", "kind": "model"}) + "\n"
                    + json.dumps({"slug": "not-a-slug", "name": "Two"}) + "\n"
                    + json.dumps({"slug": "ok/three", "name": "Three", "license": "not a licence ((("}) + "\n",
                    encoding="utf-8")
    result = empty_app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "record 2: not a slug" in result.output and "record 3: license" in result.output
    assert "Imported 1 entries" in result.output
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    result = empty_app.test_cli_runner().invoke(args=["import", str(broken)])
    assert result.exit_code != 0 and "line 1 is not JSON" in result.output


def test_import_repairs_nul_and_lone_surrogates_as_a_harvest_does_and_says_where(empty_app, tmp_path):
    """A dump holding NUL or a lone surrogate — escaped in the JSON or as raw bytes that are not UTF-8 — loads
    with each replaced by U+FFFD (on PostgreSQL too, which stores no NUL), and the report names the record."""
    path = tmp_path / "odd.jsonl"
    lines = [json.dumps({"slug": "odd/nul", "name": "Nul", "summary": "a\u0000b"}),
             '{"slug": "odd/surrogate", "name": "Sur\\udc80rogate", "tags": ["x\\ud800"]}',
             json.dumps({"slug": "odd/fine", "name": "Fine"})]
    raw = ("\n".join(lines) + "\n").encode() + b'{"slug": "odd/bytes", "name": "By\xed\xb2\x80tes \xff"}\n'
    path.write_bytes(raw)
    result = empty_app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Imported 4 entries" in result.output
    assert "record 1 (odd/nul): summary" in result.output and "record 2 (odd/surrogate): name, tags" in result.output
    assert "record 4 (odd/bytes): name" in result.output and "record 3" not in result.output
    client = empty_app.test_client()
    assert client.get("/api/v1/entries/odd/nul").get_json()["summary"] == "a\ufffdb"
    surrogate = client.get("/api/v1/entries/odd/surrogate").get_json()
    assert (surrogate["name"], surrogate["tags"]) == ("Sur\ufffdrogate", ["x\ufffd"])
    assert client.get("/api/v1/entries/odd/bytes").get_json()["name"] == "By\ufffd\ufffd\ufffdtes \ufffd"
    assert client.get("/entries/odd/surrogate").status_code == 200


def test_a_large_dump_loads_in_batches_with_duplicates_skipped_relations_linked_and_search_built(
    empty_app, tmp_path
):
    from registry.models import RenderedText, Relation

    records = [
        {"slug": f"bulk/entry-{n}", "name": f"Bulk entry {n}", "kind": "dataset" if n % 3 else "model",
         "language": "sw", "languages": ["sw"], "license": "MIT", "summary": f"Kiswahili corpus number {n}.",
         "description": f"# Entry {n}\n\nMaandishi ya **Kiswahili**.",
         "relations": [{"type": "uses", "target": f"bulk/entry-{n - 1}"}] if n else [],
         "updated_at": "2026-01-02T03:04:05+00:00"}
        for n in range(1203)
    ]
    records.insert(700, {"slug": "bulk/entry-5", "name": "Twice"})  # the same slug again, in another batch
    records.append({"slug": "bad", "name": "No namespace"})
    path = tmp_path / "bulk.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    runner = empty_app.test_cli_runner()
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1 and "Imported 1203 entries, skipped 1 already registered, 1 refused" in result.output
    with write_session(empty_app) as s:
        assert s.exec(select(func.count()).select_from(Revision)).one() == 1203
        assert s.exec(select(func.count()).select_from(FacetValue).where(FacetValue.facet == "language")).one() == 1203
        linked = s.exec(select(func.count()).select_from(Relation).where(Relation.target_id.is_not(None))).one()
        assert linked == 1202
        assert s.exec(select(Entry.name).where(Entry.slug == "bulk/entry-5")).one() == "Bulk entry 5"
        assert s.exec(select(func.count()).select_from(RenderedText)).one() == 0  # left for later
    client = empty_app.test_client()
    found = client.get("/api/v1/entries?q=kiswahili&language=sw&per_page=5").get_json()
    assert found["total"] == 1203
    page = client.get("/entries/bulk/entry-7").get_data(as_text=True)
    assert "<strong>Kiswahili</strong>" in page  # rendered when shown, until stored
    result = runner.invoke(args=["render-descriptions"])
    assert result.exit_code == 0 and "Rendered 1203 descriptions" in result.output
    with write_session(empty_app) as s:
        assert s.exec(select(func.count()).select_from(RenderedText)).one() == 1203
    assert "Rendered 0 descriptions" in runner.invoke(args=["render-descriptions"]).output


def test_an_interrupted_import_keeps_its_committed_batches_and_a_second_run_finishes_it(empty_app, tmp_path,
                                                                                         monkeypatch):
    from registry.services import imports

    records = [{"slug": f"bulk/e-{n}", "name": f"E {n}", "license": "LicenseRef-x"} for n in range(1100)]
    path = tmp_path / "bulk.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    real, calls = imports._store, []

    def store_then_fail(session, batch, report):
        calls.append(len(batch))
        if len(calls) == 2:
            raise OSError("the disk is full")
        return real(session, batch, report)

    monkeypatch.setattr(imports, "_store", store_then_fail)
    result = empty_app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code != 0
    with write_session(empty_app) as s:
        assert s.exec(select(func.count()).select_from(Entry)).one() == 500  # the first batch stayed
    monkeypatch.setattr(imports, "_store", real)
    result = empty_app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 0 and "Imported 600 entries, skipped 500 already registered" in result.output
    with write_session(empty_app) as s:
        assert s.exec(select(func.count()).select_from(Revision)).one() == 1100


# Values a harvester can write: any script, marks and emoji, Markdown, compound and user-defined SPDX
# licences, language tags with scripts and regions, ORCID'd authors, empty and missing fields.
_TEXT = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"), min_size=1, max_size=60)
    .map(str.strip)  # (a harvester trims what it reads)
    .filter(bool)
)
_LICENSES = ["MIT", "Apache-2.0", "CC-BY-4.0", "CC0-1.0", "GPL-3.0-only", "MIT OR Apache-2.0",
             "Apache-2.0 AND LicenseRef-extra-terms", "LicenseRef-other", "NOASSERTION"]
_LANGS = ["en", "sw", "zh-Hans", "ar", "hi", "pt-BR", "yo", "sr-Latn", "ja"]
_ENTRY = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["model", "dataset", "project"]),
        "name": _TEXT,
        "summary": st.one_of(st.just(""), _TEXT),
        "description": st.one_of(st.just(""), st.builds("# {}\n\n{}\n\n- {}".format, _TEXT, _TEXT, _TEXT)),
        "language": st.sampled_from(_LANGS),
        "languages": st.lists(st.sampled_from(_LANGS), max_size=4, unique=True),
        "license": st.sampled_from(_LICENSES),
        "tags": st.lists(_TEXT.map(lambda s: s[:40].strip()).filter(bool), max_size=4, unique=True),
        "region": st.sampled_from(["KE", "NG", "CN", "IN", "BR"]),
        "authors": st.lists(
            st.fixed_dictionaries({"name": _TEXT}, optional={"orcid": st.just("0000-0002-1825-0097")}),
            max_size=3,
        ),
    }
)


@pytest.mark.slow
# (No shrinking: the registries keep every example's entries, so shrinking replays grow slower; the
# failing example is reported whole.)
@settings(max_examples=15, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(_ENTRY, min_size=1, max_size=4))
def test_export_import_export_gives_the_same_entries_for_anything_a_harvester_writes(
    app, empty_app, tmp_path, entries
):
    prefix = f"p{uuid.uuid4().hex[:8]}"
    for i, fields in enumerate(entries):
        add_entry(app, f"{prefix}/entry-{i}", **fields)
    dump = tmp_path / f"{prefix}.jsonl"
    out = app.test_cli_runner().invoke(args=["export", "--output", str(dump)])
    assert out.exit_code == 0, out.output
    mine = [line for line in dump.read_text(encoding="utf-8").splitlines() if f'"slug": "{prefix}/' in line
            or json.loads(line)["slug"].startswith(prefix + "/")]
    assert len(mine) == len(entries)
    dump.write_text("\n".join(mine) + "\n", encoding="utf-8")
    loaded = empty_app.test_cli_runner().invoke(args=["import", str(dump)])
    assert loaded.exit_code == 0 and f"Imported {len(entries)} entries" in loaded.output, loaded.output
    again = tmp_path / f"{prefix}-again.jsonl"
    assert empty_app.test_cli_runner().invoke(args=["export", "--output", str(again)]).exit_code == 0
    back = {e["slug"]: e for e in map(json.loads, again.read_text(encoding="utf-8").splitlines())
            if e["slug"].startswith(prefix + "/")}
    first = {e["slug"]: e for e in map(json.loads, mine)}
    assert sorted(back) == sorted(first)
    for slug, entry in first.items():
        differ = {k: (v, back[slug].get(k)) for k, v in _comparable(entry).items() if back[slug].get(k) != v}
        assert not differ, (slug, differ)
        assert back[slug]["updated_at"] == entry["updated_at"], slug


def _bulk_dump(tmp_path, n: int):
    langs = ["sw", "zh-Hans", "ar", "hi", "en"]
    records = [{"slug": f"bulk/e-{i}", "name": f"Entry {i} {['speech', '语音识别', 'كلام', 'वाक्', 'text'][i % 5]}",
                "summary": f"Words number {i}, shared words, rare{i}.", "language": langs[i % 5],
                "languages": [langs[i % 5]], "kind": ["model", "dataset", "project"][i % 3],
                "license": ["MIT", "CC-BY-4.0", "LicenseRef-x"][i % 3], "tags": [f"tag{i % 7}"],
                "translations": {"en": {"name": f"English {i}", "summary": "In English.", "origin": "README.en.md"}}
                if i % 4 == 0 else {}} for i in range(n)]
    path = tmp_path / "bulk.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("processes", [1, 2])
def test_an_import_indexes_exactly_what_a_rebuild_does_and_the_index_takes_edits_afterwards(
    empty_app, tmp_path, processes
):
    from registry.db import sessions
    from registry.search import reindex
    from registry.services.imports import import_records, read_dump
    from tests.helpers import index_snapshot

    path = _bulk_dump(tmp_path, 1234)
    with path.open(encoding="utf-8") as fh:
        report = import_records(sessions(empty_app), read_dump(fh), processes=processes)
    assert len(report.created) == 1234 and not report.errors
    # The index was written once at the end, for the whole load (on SQLite in one full-text pass);
    # an entry added afterwards is indexed as it is written, as ever.
    add_entry(empty_app, "later/zebra-speech", name="Zebra speech", summary="Added after the load.")
    loaded = index_snapshot(empty_app)
    assert len(loaded["search_documents"]) == 1235
    client = empty_app.test_client()
    found = client.get("/api/v1/entries", query_string={"q": "zebra speech"}).get_json()
    assert [e["slug"] for e in found["items"]] == ["later/zebra-speech"]
    found = client.get("/api/v1/entries", query_string={"q": "rare17", "per_page": 100}).get_json()
    assert "bulk/e-17" in [e["slug"] for e in found["items"]]
    with write_session(empty_app) as s:
        reindex(s)
    assert index_snapshot(empty_app) == loaded


def test_an_import_cut_between_a_batch_and_its_documents_is_indexed_by_the_next_run(empty_app, tmp_path,
                                                                                    monkeypatch):
    from registry.db import sessions
    from registry.search import reindex, unindexed_ids
    from registry.services import imports
    from registry.services.imports import import_records, read_dump
    from tests.helpers import index_snapshot

    path = _bulk_dump(tmp_path, 1600)
    real, calls = imports._store, []

    def store_then_fail(session, batch, report):
        calls.append(len(batch))
        if len(calls) == 3:  # two batches committed; the second one's documents were still being built
            raise OSError("the disk is full")
        return real(session, batch, report)

    monkeypatch.setattr(imports, "_store", store_then_fail)
    with pytest.raises(OSError), path.open(encoding="utf-8") as fh:
        import_records(sessions(empty_app), read_dump(fh), processes=2)
    with write_session(empty_app) as s:
        assert s.exec(select(func.count()).select_from(Entry)).one() == 1000
        # The index is written at the load's end: the committed batches wait, unindexed (their documents
        # staged, or lost with the failed transaction), for the next run.
        assert len(unindexed_ids(s)) == 1000
    monkeypatch.setattr(imports, "_store", real)
    with path.open(encoding="utf-8") as fh:
        report = import_records(sessions(empty_app), read_dump(fh), processes=2)
    assert len(report.created) == 600 and len(report.skipped) == 1000
    loaded = index_snapshot(empty_app)
    assert len(loaded["search_documents"]) == 1600
    with write_session(empty_app) as s:
        reindex(s)
    assert index_snapshot(empty_app) == loaded


def test_a_record_naming_a_translation_or_a_relation_twice_still_loads(empty_app, tmp_path):
    from registry.models import Relation, Translation

    record = {"slug": "lab/twice", "name": "Twice", "language": "en",
              "translations": {"pt-br": {"name": "Duas vezes"}, "pt-BR": {"name": "Outra vez"}},
              "relations": [{"type": "uses", "target": "lab/base"}, {"type": "uses", "target": "lab/base"}]}
    path = tmp_path / "twice.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = empty_app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 0 and "Imported 1 entries" in result.output, result.output
    with write_session(empty_app) as s:
        assert [t.name for t in s.exec(select(Translation))] == ["Duas vezes"]  # the first spelling wins
        assert s.exec(select(func.count()).select_from(Relation)).one() == 1
