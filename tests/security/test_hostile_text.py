"""Issue 29, finding 1: text no page can show and no database stores the same way.

A lone UTF-16 surrogate or NUL in anything a user sends (JSON, forms, query strings) is refused
at the boundary, naming the field; harvested text is repaired; rows stored before the boundary
(seeded here directly, bypassing it) render on every page without a 500, and migration 0013's
repair rewrites them. On SQLite and on PostgreSQL (REGISTRY_TEST_DATABASE_URL).
"""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from harvesters import HarvestedRecord, HarvestOptions
from registry.db import get_engine, sessions, write_session
from registry.models import Entry
from registry.services.pipeline import run_source
from registry.services.tokens import create_token
from tests.views.conftest import _fresh_rate_limits, auth, people, post_form, text  # noqa: F401 - fixtures

UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
SURROGATE = "a\udc80b"
HOSTILE = ["a\udc80b", "x\ud800", "nul\x00here", "\udfff\ud800"]
MIGRATION = Path(__file__).resolve().parents[2] / "registry/migrations/versions/0013_text_repair.py"


def _tokens(app) -> dict[str, dict]:
    with write_session(app) as s:
        return {name: {"Authorization": f"Bearer {create_token(s, user_name=name, scope='write')[0]}"}
                for name in ("member", "mod", "root")}


def _raw(body: dict) -> bytes:
    # json.dumps escapes a lone surrogate as \udc80 and NUL as \u0000, as a client would send them.
    return json.dumps(body).encode()


@pytest.fixture
def tokens(app, people):
    return _tokens(app)


# --- the boundary -------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", HOSTILE)
def test_json_bodies_with_a_lone_surrogate_or_nul_are_refused_naming_the_field(client, tokens, bad):
    entry = client.get("/api/v1/entries/lab/tagger").get_json()
    cases = [
        ("post", "/api/v1/entries/lab/tagger/proposals", {"changes": {"name": bad}, "base_revision": 1},
         "changes.name"),
        ("patch", "/api/v1/entries/lab/tagger", {"summary": bad, "base_revision": entry["revision"]}, "summary"),
        ("post", "/api/v1/collections", {"title": "Swahili", "slug": "sw", "description": bad}, "description"),
        ("post", "/api/v1/communities", {"name": bad, "slug": "nlp"}, "name"),
        ("post", "/api/v1/entries/lab/tagger/proposals", {"changes": {"tags": ["ok", bad]}, "base_revision": 1},
         "changes.tags.1"),
        ("post", "/api/v1/me/tokens", {bad: "x"}, None),
    ]
    for method, path, body, field in cases:
        resp = getattr(client, method)(path, data=_raw(body),
                                       headers={**tokens["root"], "Content-Type": "application/json"})
        assert resp.status_code == 422, (path, resp.get_data(as_text=True)[:300])
        error = resp.get_json()["error"]
        assert error["code"] == "invalid" and error["details"]["fields"], error
        if field:
            assert field in error["details"]["fields"], error
    assert client.get("/api/v1/entries/lab/tagger").get_json()["revision"] == entry["revision"]


def test_raw_invalid_utf8_in_a_json_body_is_a_400(client, tokens):
    for raw in (b'{"summary": "a\xed\xb2\x80b"}', b'{"summary": "\xff"}', b'{"summary": "\xc3"}'):
        resp = client.patch("/api/v1/entries/lab/tagger", data=raw,
                            headers={**tokens["root"], "Content-Type": "application/json"})
        assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "invalid_json"


def test_a_collection_translation_proposal_with_a_surrogate_is_refused(app, client, tokens):
    assert client.post("/api/v1/collections", json={"title": "Swahili", "slug": "swahili"},
                       headers=tokens["root"]).status_code == 201
    resp = client.post("/api/v1/collections/swahili/translations",
                       data=_raw({"lang": "fr", "title": SURROGATE}),
                       headers={**tokens["member"], "Content-Type": "application/json"})
    assert resp.status_code == 422 and "title" in resp.get_json()["error"]["details"]["fields"]


@pytest.mark.parametrize("path", ["/api/v1/entries?q=a%00b", "/api/v1/entries?tag=x&q%00=1", "/entries?q=%00",
                                  "/entries/lab/tag%00ger", "/collections?language=%00"])
def test_nul_in_a_query_string_or_address_is_a_400(client, people, path):
    resp = client.get(path)
    assert resp.status_code == 400, resp.get_data(as_text=True)[:300]
    if path.startswith("/api/"):
        assert resp.get_json()["error"]["code"] == "invalid_parameter"


def test_percent_encoded_surrogates_in_a_query_are_harmless(client, people):
    # Werkzeug decodes what is not UTF-8 to U+FFFD: searched for, never a 500.
    for path in ("/api/v1/entries?q=%ED%B2%80", "/entries?q=%ED%A0%80x", "/entries?q=%FF"):
        assert client.get(path).status_code == 200


def test_a_form_with_nul_is_refused_naming_the_field_and_writes_nothing(app, client, people, auth):
    auth("maint")
    fields = {"kind": "project", "name": "Tagger", "summary": "Tags\x00 words.", "description": "", "language": "en",
              "languages": "", "license": "MIT", "tasks": "", "tags": "", "frameworks": "", "region": "",
              "homepage": "", "version": "", "note": "", "base_revision": "1"}
    resp = post_form(client, "/entries/lab/tagger/edit", fields)
    assert resp.status_code == 422 and "summary" in text(resp)
    with write_session(app) as s:
        assert s.exec(select(Entry).where(Entry.slug == "lab/tagger")).one().revision == 1


def test_harvested_text_is_repaired_not_refused(app):
    def fetch(kind, url, options):
        record = HarvestedRecord(source_url=url, source_kind="git", slug_hint="lab/odd", commit="c" * 40)
        record.set("name", "Odd\x00 Tool", origin="README.md")
        record.set("summary", "half a pair \ud83d here", origin="README.md")
        record.set("tags", ["ok", "bad\udc80"], origin="README.md")
        record.translations["fr"] = {"name": "Outil\x00", "summary": "x\udfff", "description": "", "origin": "README.fr.md"}
        return record

    result = run_source(sessions(app), source="https://example.org/lab/odd", kind="git",
                        options=HarvestOptions(), fetch=fetch)
    assert result.outcome.value == "created", result.error
    with write_session(app) as s:
        entry = s.exec(select(Entry).where(Entry.slug == result.slug)).one()
        assert (entry.name, entry.summary, entry.tags) == ("Odd\ufffd Tool", "half a pair \ufffd here", ["ok", "bad\ufffd"])


# --- rows stored before the boundary ------------------------------------------------------------

LONG = "Long " * 40_000
DECOR = "\u202eevil\u202c <script>alert(1)</script> zero\u200b\u200dwidth\ufeff"


def _seed(app, client, tokens) -> None:
    """Build a world through the API, then write hostile values into its rows directly."""
    root, member = tokens["root"], tokens["member"]
    assert client.post("/api/v1/communities", json={"name": "Nairobi NLP", "slug": "nairobi-nlp"},
                       headers=root).status_code == 201
    assert client.post("/api/v1/collections", json={"title": "Swahili", "slug": "swahili",
                                                    "community": "nairobi-nlp"}, headers=root).status_code == 201
    assert client.post("/api/v1/collections/swahili/items", json={"entry": "lab/tagger", "note": "good"},
                       headers=root).status_code == 201
    assert client.post("/api/v1/collections/swahili/translations", json={"lang": "fr", "title": "Swahili FR"},
                       headers=member).status_code in (201, 202)
    assert client.post("/api/v1/entries/lab/tagger/proposals", json={"changes": {"summary": "x"}, "base_revision": 1},
                       headers=member).status_code == 201
    assert client.patch("/api/v1/entries/lab/tagger", json={"summary": "Edited.", "base_revision": 1},
                        headers=root).status_code == 200
    sqlite = get_engine(app).dialect.name == "sqlite"
    nul = "\x00" if sqlite else ""  # PostgreSQL cannot store NUL in text (that part is SQLite's)
    json_values = {
        ("entries", "tags"): ["ok", SURROGATE, "nul\x00", DECOR],
        ("entries", "authors"): [{"name": "Ada\udc80"}, {"name": DECOR}],
        ("entries", "provenance"): {"summary": {"edited_by": "root\ud800"}},
        ("entries", "warnings"): ["w\udfff"],
        ("proposals", "changes"): {"name": SURROGATE, "summary": "a\x00b", "description": "d\ud800" + DECOR},
        ("collection_proposals", "changes"): {"title": "T\udc80", "description": "D\x00"},
        ("revisions", "snapshot"): {"name": "Snap\udc80", "summary": "s\x00", "tags": [SURROGATE]},
        ("revisions", "changes"): ["summary\udc80"],
        ("communities", "languages"): ["sw\udc80"],
        ("harvest_runs", "warnings"): ["w\x00"],
    }
    text_values = {
        ("entries", "name"): "Tag" + nul + "ger " + DECOR[:60],
        ("entries", "summary"): "Sum" + nul + "mary " + DECOR,
        ("entries", "description"): "# Title" + nul + "\n\n" + DECOR + "\n\n" + LONG,
        ("collections", "description"): "Coll" + nul + DECOR,
        ("collection_items", "note"): "Note" + nul + DECOR,
        ("communities", "description"): "Comm" + nul + DECOR,
        ("users", "display_name"): "Mem" + nul + "ber\u202e",
        ("harvest_runs", "error"): "Err" + nul + "or",
        ("sources", "last_error"): "Last" + nul + DECOR,
    }
    with get_engine(app).begin() as conn:
        for (table, column), value in json_values.items():
            # json.dumps escapes what a JSON column then holds (both databases keep the escapes).
            conn.execute(sa.text(f"UPDATE {table} SET {column} = :v"), {"v": json.dumps(value)})
        for (table, column), value in text_values.items():
            conn.execute(sa.text(f"UPDATE {table} SET {column} = :v"), {"v": value})
        conn.execute(sa.text("DELETE FROM rendered_texts"))  # rendered again from the hostile description


PAGES = [
    ("root", "/"), ("root", "/entries"), ("root", "/entries?q=tagger"), ("root", "/entries/lab/tagger"),
    ("root", "/entries/lab/tagger/history"), ("root", "/entries/lab/tagger/edit"), ("mod", "/review"),
    ("root", "/collections"), ("root", "/collections/swahili"), ("root", "/collections/swahili/curate"),
    ("root", "/communities"), ("root", "/communities/nairobi-nlp"), ("root", "/sources/1"),
    ("root", "/feeds/entries.atom"), ("root", "/sitemap.xml"), ("root", "/collections/swahili/feed.atom"),
    ("root", "/oai?verb=ListRecords&metadataPrefix=oai_dc"), ("root", "/account"), ("root", "/coverage"),
    (None, "/entries/lab/tagger"), (None, "/collections/swahili"),
]
API = ["/api/v1/entries", "/api/v1/entries?q=tagger", "/api/v1/entries/lab/tagger",
       "/api/v1/entries/lab/tagger/revisions", "/api/v1/entries/lab/tagger/citation?format=bibtex",
       "/api/v1/entries/lab/tagger/citation?format=cff", "/api/v1/proposals", "/api/v1/collections/swahili",
       "/api/v1/collections/swahili/proposals", "/api/v1/communities/nairobi-nlp", "/api/v1/sources/1/runs",
       "/api/v1/dump", "/api/v1/me"]


def _every_page_answers(app, client, tokens, runner) -> None:
    from tests.views.conftest import login

    failures = []
    browsers = {}
    for who in {who for who, _ in PAGES}:
        browsers[who] = app.test_client()
        if who:
            login(browsers[who], who)
    for who, path in PAGES:
        resp = browsers[who].get(path)
        if resp.status_code >= 500:
            failures.append((who, path, resp.status_code))
        else:
            resp.get_data()  # the body is encoded, whatever it holds
    for path in API:
        resp = client.get(path, headers=tokens["mod"])
        if resp.status_code >= 500:
            failures.append(("api", path, resp.status_code))
        else:
            b"".join(resp.response)
    for fmt in ("jsonl", "jsonld"):
        result = runner.invoke(args=["export", "--format", fmt])
        if result.exit_code != 0:
            failures.append(("export", fmt, result.output[-300:]))
    assert not failures, failures


def _stored_unstorable(app) -> list[tuple[str, str]]:
    """Read every text and JSON value with a plain engine (no repair on read); return where bad text is."""
    engine = sa.create_engine(get_engine(app).url)
    found = []
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            for table in inspector.get_table_names():
                if table.startswith("search_"):
                    continue
                for info in inspector.get_columns(table):
                    if not isinstance(info["type"], sa.String | sa.Text | sa.JSON):
                        continue
                    column = sa.column(info["name"], sa.JSON() if isinstance(info["type"], sa.JSON) else sa.Text())
                    for (value,) in conn.execute(sa.select(column).select_from(sa.table(table))):
                        if UNSTORABLE.search(json.dumps(value, ensure_ascii=False)
                                             if not isinstance(value, str) else value):
                            found.append((table, info["name"]))
    finally:
        engine.dispose()
    return sorted(set(found))


def test_hostile_rows_render_everywhere_and_the_migration_repairs_them(app, client, tokens, runner):
    _seed(app, client, tokens)
    assert ("proposals", "changes") in _stored_unstorable(app)  # the seed really holds them

    _every_page_answers(app, client, tokens, runner)
    # Accepting the hostile proposal works too (NUL used to fail on PostgreSQL, surrogates everywhere).
    proposal = client.get("/api/v1/proposals", headers=tokens["mod"]).get_json()["items"][0]
    resp = client.post(f"/api/v1/proposals/{proposal['id']}/accept", json={}, headers=tokens["mod"])
    assert resp.status_code < 500, resp.get_data(as_text=True)[:300]

    spec = importlib.util.spec_from_file_location("text_repair", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with get_engine(app).begin() as conn:
        changed = module.repair(conn)
    assert changed.get("entries") and changed.get("revisions"), changed
    assert _stored_unstorable(app) == []
    with get_engine(app).begin() as conn:
        assert module.repair(conn) == {}  # repairing again finds nothing
    _every_page_answers(app, client, tokens, runner)
    api = client.get("/api/v1/entries/lab/tagger").get_json()
    assert "a\ufffdb" in api["tags"] and DECOR in api["tags"]
