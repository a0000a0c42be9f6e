"""The in-memory copy of the index answers exactly as the database does, and follows every committed change."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlmodel import select

from registry import create_app
from registry.db import get_engine, read_session, write_session
from registry.models import Entry
from registry.search import backend_for, memory, reindex, segments
from registry.search.documents import FIELD_WEIGHTS, build_document
from registry.search.postgres import fields_from_tsvector, tsvector_literal
from registry.services import Actor
from registry.services.changes import record_change
from registry.services.editing import purge_entry, set_hidden
from registry.services.listing import EntryQuery, list_entries
from tests.helpers import add_entry
from tests.search.conftest import MULTILINGUAL

ADMIN = Actor(name="root", role="admin")
WORDS = ["river", "delta", "speech", "corpus", "open", "model", "swahili", "tagger", "kenya", "reader"]


def _twin(app, *, in_memory: bool):
    """Another app (another process, as far as the copy can tell) on the same database."""
    return create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "twin",
                       "INSTANCE_PATH": app.instance_path + "-twin", "SEARCH_IN_MEMORY": in_memory})


def _answer(app, q="", **kw):
    with app.app_context():
        page = list_entries(read_session(), query=EntryQuery(q=q, **kw))
        return page.total, page.facets, [item.slug for item in page.items], page.relaxed


def _index(app) -> memory.MemoryIndex:
    return memory._INDEXES[get_engine(app)]


@pytest.fixture
def pair(app):
    """(in-memory app, database-only app) on one database; the twin's engine is disposed afterwards."""
    database = _twin(app, in_memory=False)
    yield app, database
    get_engine(database).dispose()


def _fill(app, n: int, seed: int = 7):
    rng = random.Random(seed)
    for i in range(n):
        add_entry(app, f"lab/item-{i}", name=" ".join(rng.sample(WORDS, 2)) + f" {i}",
                  summary=" ".join(rng.choices(WORDS, k=rng.randint(3, 9))),
                  description=" ".join(rng.choices(WORDS, k=rng.randint(0, 30))) + " 语音识别 数据集"[: rng.randint(0, 8)],
                  kind=rng.choice(["model", "dataset", "project"]), license=rng.choice(["MIT", "CC0-1.0"]),
                  languages=rng.choice([["sw"], ["en", "sw"], ["zh-Hans"], []]), region=rng.choice(["KE", "CN", None]),
                  tags=rng.sample(["asr", "nlp", "tiny"], rng.randint(0, 2)))


QUERIES = ["river", "speech corpus", "riv*", "sp*", '"open model"', '"speech corpus open"', "语", "语音", "语音识别",
           "数据集", "river -delta", "kenya OR tagger", "kiswahili", "swahili speech", "nothing-here", "model",
           '"river delta speech" -corpus', "tagger*", "zzz OR river"]


def test_the_copy_answers_as_the_database_does(pair):
    app, database = pair
    _fill(app, 60)
    with write_session(app) as s:  # a hidden entry that skipped the index must stay out of both answers
        s.exec(select(Entry).where(Entry.slug == "lab/item-3")).one().hidden = True
    same_order = app.config["DATABASE_URL"].startswith("sqlite")  # PostgreSQL's database path ranks with ts_rank
    for q in QUERIES:
        for filters in ({}, {"kind": ["model"]}, {"language": ["sw", "zh-Hans"], "license": ["MIT"]}):
            for page in (1, 2):
                ours, theirs = (_answer(a, q, filters=filters, page=page, per_page=7) for a in (app, database))
                assert ours[0] == theirs[0] and ours[1] == theirs[1], (q, filters)
                if same_order:
                    assert ours == theirs, (q, filters, page)
                else:
                    assert sorted(ours[2]) == sorted(theirs[2]) or ours[0] > 7, (q, filters)
    assert _index(app).loads == 1 and memory._INDEXES.get(get_engine(database)) is None


def test_browsing_with_filters_is_counted_by_the_copy(pair):
    app, database = pair
    _fill(app, 25)
    for filters in ({"language": ["sw"]}, {"kind": ["dataset"], "region": ["KE", "CN"]}, {"task": ["none-such"]}):
        assert _answer(app, filters=filters) == _answer(database, filters=filters)
    assert _index(app).loads == 1


def test_a_prefix_of_a_few_rare_words_adds_up_each_entrys_words(pair):
    # Among many entries, a prefix whose words are rare is gathered by sorting its few postings:
    # an entry holding two of its words must still count both.
    app, database = pair
    _fill(app, 60)
    add_entry(app, "lab/two-words", name="First", summary="tagline taglish")
    add_entry(app, "lab/one-word", name="Second", summary="tagline model")  # newer: first on a tie
    ours = _answer(app, "tagl*")
    assert ours[0] == 2 and ours[2] == ["lab/two-words", "lab/one-word"]
    assert ours[:2] == _answer(database, "tagl*")[:2]
    # With a word most entries hold, the few are looked up in the many.
    assert _answer(app, "tagl* model")[:3] == (1, _answer(database, "tagl* model")[1], ["lab/one-word"])


def test_freshness_weighs_in_the_copy_as_in_the_database(pair):
    # The stronger match (notes six times) was last updated years ago: its small freshness bonus is
    # gone, and it still comes first, as the database ranks it; the bonus is no more than a bonus.
    app, database = pair
    add_entry(app, "lab/old-strong", name="Strong", summary="notes notes notes notes notes notes river", description="delta open model")
    add_entry(app, "lab/new-weak", name="Weak", summary="notes river", description="delta open model speech")
    with write_session(app) as s:
        old = s.exec(select(Entry).where(Entry.slug == "lab/old-strong")).one()
        old.updated_at = datetime.now(timezone.utc) - timedelta(days=5 * 365)
        s.add(old)
        reindex(s)
    assert _answer(app, "notes")[2] == _answer(database, "notes")[2] == ["lab/old-strong", "lab/new-weak"]
    # Equal matches: the fresher first.
    assert _answer(app, "river")[2] == _answer(database, "river")[2] == ["lab/new-weak", "lab/old-strong"]


def test_a_long_phrase_must_be_there_whole(app):
    # Each adjacent pair of "river delta speech" is in this entry, but never the three words together.
    add_entry(app, "lab/apart", name="Apart", summary="river delta then delta speech")
    add_entry(app, "lab/whole", name="Whole", summary="the river delta speech archive")
    assert _answer(app, '"river delta speech"')[2] == ["lab/whole"]
    assert sorted(_answer(app, '"delta speech"')[2]) == ["lab/apart", "lab/whole"]
    # A hyphenated exclusion is a phrase too: only the entry holding it whole is left out.
    assert _answer(app, "river -river-delta-speech")[2] == ["lab/apart"]


def test_chinese_and_japanese_words_are_matched_whole_from_memory(pair, monkeypatch):
    app, database = pair
    # Every pair of 自然语言 is in the first entry (自然, 然语, 语言), but never the four characters in a row;
    # the third holds them across two fields (name, then summary), which is no phrase either.
    add_entry(app, "lab/apart", name="Apart", summary="自然 然语 语言 数据")
    add_entry(app, "lab/whole", name="Whole", summary="面向自然语言处理的数据集")
    add_entry(app, "lab/fields", name="研究自然", summary="语言模型")
    add_entry(app, "lab/twice", name="Twice", summary="自然语音 自然语言 ニュース要約です", description="自然语言")
    # A pair far more frequent than the phrase's others (语言 here) is searched for the few candidates.
    add_entry(app, "lab/common", name="Common", summary=" ".join(["语言"] * 40) + " 处理")
    asked = []
    with app.app_context():
        backend = type(backend_for(read_session()))
    real = backend.phrase_ids
    monkeypatch.setattr(backend, "phrase_ids", lambda self, s, c: asked.append(c) or real(self, s, c))
    for q in ("自然语言", "自然语言处理", "ニュース要約", "自然语", "然语言", "语言处理的数据"):
        ours = _answer(app, q)
        assert ours[:3] == _answer(database, q)[:3], q
    assert sorted(_answer(app, "自然语言")[2]) == ["lab/twice", "lab/whole"]
    assert _answer(app, "ニュース要約")[2] == ["lab/twice"]
    assert asked == [] or all(c.prefix for c in asked)  # none of these needed the database's positions
    # A long phrase of words (not single characters) is still checked by the database.
    add_entry(app, "lab/words", name="Words", summary="river delta speech")
    assert _answer(app, '"river delta speech"')[2] == ["lab/words"] and asked


def test_a_chinese_phrase_held_more_often_ranks_first_as_in_the_database(pair):
    # bm25 counts a phrase's whole occurrences: of two summaries of 22 tokens, "lab/pairs" holds each
    # pair of 语音识别 four times but the phrase once, "lab/twice" the phrase twice, so the database
    # puts "lab/twice" first; counting the rarest pair instead would put "lab/pairs" first.
    app, database = pair
    add_entry(app, "lab/pairs", name="Pairs", summary="语音识别" + "语音音识识别" * 3)
    add_entry(app, "lab/twice", name="Twice", summary="语音识别 " + "filler " * 14 + "语音识别")
    add_entry(app, "lab/named", name="语音识别", summary="模型")  # the name weighs ten times the summary
    same_order = app.config["DATABASE_URL"].startswith("sqlite")  # PostgreSQL's database path ranks with ts_rank
    for q in ("语音识别", "音识别", "语音识"):
        ours, theirs = _answer(app, q), _answer(database, q)
        assert ours == theirs if same_order else ours[:2] == theirs[:2], q
    assert _answer(app, "语音识别")[2] == ["lab/named", "lab/twice", "lab/pairs"]


def test_date_order_comes_from_the_copy_as_the_database_gives_it(pair, runner):
    app, database = pair
    _fill(app, 30)
    # Entries changed at the same moment (an import gives them the dump's times) are ordered by id,
    # the higher first: a third of them share one time here.
    with write_session(app) as s:
        same = s.exec(select(Entry).where(Entry.slug == "lab/item-5")).one().updated_at
        s.execute(text("UPDATE entries SET updated_at = :t WHERE id % 3 = 0"), {"t": same})
    assert runner.invoke(args=["reindex"]).exit_code == 0
    for q, sort in (("", None), ("", "updated"), ("river", "updated"), ("speech corpus", "updated")):
        for page in (1, 2, 3):
            ours = _answer(app, q, sort=sort, page=page, per_page=7)
            assert ours == _answer(database, q, sort=sort, page=page, per_page=7), (q, sort, page)
    index = _index(app)
    assert index.loads >= 1 and index.snapshot is not None  # the copy answered


def test_changes_committed_elsewhere_reach_the_copy_without_reading_everything(app):
    add_entry(app, "lab/tool", name="Tool", summary="Old words.")
    add_entry(app, "lab/other", name="Other", summary="Old words too.")
    assert _answer(app, "old")[0] == 2
    elsewhere = _twin(app, in_memory=True)  # another process writes
    try:
        add_entry(elsewhere, "lab/tool", name="Tool", summary="Brand new vocabulary.")
        add_entry(elsewhere, "lab/third", name="Third", summary="Vocabulary for everyone.", kind="dataset")
        with write_session(elsewhere) as s:
            set_hidden(s, slug="lab/other", actor=ADMIN, hidden=True, reason="spam")
    finally:
        get_engine(elsewhere).dispose()
    total, facets, slugs, _ = _answer(app, "vocabulary")
    assert (total, sorted(slugs)) == (2, ["lab/third", "lab/tool"]) and facets["kind"] == {"dataset": 1, "project": 1}
    assert _answer(app, "old")[0] == 0
    assert _index(app).loads == 1  # the three changes were read, not the whole index
    assert len(_index(app).snapshot.segments) == 2


def test_a_session_that_changed_the_index_is_answered_by_the_database(app):
    add_entry(app, "lab/tool", name="Tool", summary="Old words.")
    assert _answer(app, "old")[0] == 1
    with app.app_context(), write_session(app) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "lab/tool")).one()
        entry.summary = "Uncommitted vocabulary."
        record_change(s, entry, author="amina", reason="edit", changes=["summary"])
        # Its own change is visible to it, though no other reader sees it yet.
        assert list_entries(s, query=EntryQuery(q="uncommitted")).total == 1
        assert _answer(app, "uncommitted")[0] == 0
        s.rollback()
    assert _answer(app, "uncommitted")[0] == 0 and _answer(app, "old")[0] == 1
    assert _index(app).loads == 1


def test_a_purge_and_a_reindex_reach_the_copy(app, runner):
    for i in range(3):
        add_entry(app, f"lab/item-{i}", name=f"Item {i}", summary="shared words")
    assert _answer(app, "shared")[0] == 3
    with write_session(app) as s:
        purge_entry(s, slug="lab/item-0", actor=ADMIN, reason="leaked personal data")
    assert _answer(app, "shared")[0] == 2
    with write_session(app) as s:
        s.execute(text("UPDATE entries SET summary = 'rewritten' WHERE slug = 'lab/item-1'"))  # behind the index's back
    assert _answer(app, "rewritten")[0] == 0
    assert runner.invoke(args=["reindex"]).exit_code == 0
    assert _answer(app, "rewritten")[2] == ["lab/item-1"]
    assert _index(app).loads == 2  # a rebuilt index is read again whole


def test_many_changes_are_folded_into_a_fresh_copy(pair, monkeypatch):
    app, database = pair
    monkeypatch.setattr(memory, "DELTA_MIN", 3)
    monkeypatch.setattr(memory, "DELTA_SHARE", 0.0)
    for i in range(3):
        add_entry(app, f"lab/item-{i}", name=f"Item {i}", summary="first words")
    assert _answer(app, "first")[0] == 3
    add_entry(app, "lab/item-0", name="Item 0", summary="second words")
    assert _answer(app, "second")[0] == 1 and _index(app).loads == 1
    for i in range(4, 8):
        add_entry(app, f"lab/item-{i}", name=f"Item {i}", summary="second words")
    # Too many apart: a whole new copy is read in the background while these still answer.
    assert _answer(app, "second")[0] == 5 and _answer(app, "first")[0] == 2
    _index(app).folding.join(10)
    add_entry(app, "lab/item-9", name="Item 9", summary="third words")  # made after the fold began
    assert _answer(app, "second")[0] == 5 and _answer(app, "third")[0] == 1
    assert _index(app).loads == 2 and len(_index(app).snapshot.segments) <= 2  # the new copy (and item 9)
    assert _answer(app, "first") == _answer(database, "first")


def test_the_copy_can_be_turned_off(app):
    off = _twin(app, in_memory=False)
    try:
        add_entry(off, "lab/tool", name="Tool", summary="Words.")
        assert _answer(off, "words")[0] == 1
        assert memory._INDEXES.get(get_engine(off)) is None
    finally:
        get_engine(off).dispose()


def test_the_multilingual_sample_ranks_the_same_from_memory(pair):
    app, database = pair
    for slug, fields in MULTILINGUAL.items():
        add_entry(app, slug, **fields)
    for q in ["语", "情感", "语音识别", "ニュース", "اللهجة", "hisia", "morfologico", "transfomer", "former",
              "中文", "العربية", "speech recordings", "Model Zoo"]:
        ours, theirs = _answer(app, q), _answer(database, q)
        assert ours[:2] == theirs[:2] and ours[3] == theirs[3], q
        assert ours[2][0] == theirs[2][0], q


def test_tsvector_text_gives_back_each_fields_tokens(app):
    add_entry(app, "lab/reader", name="Document Reader", summary="Reads it's forms: 文档 \\ back", tags=["ocr"],
              languages=["en", "zh-Hans"], description="A longer text about reading documents.")
    with write_session(app) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "lab/reader")).one()
        doc = build_document(entry, [])
        literal = tsvector_literal(doc)
        if s.get_bind().dialect.name == "postgresql":
            literal = s.execute(text("SELECT CAST(CAST(:v AS tsvector) AS TEXT)"), {"v": literal}).scalar_one()
    fields = fields_from_tsvector(literal)
    for name, toks in doc.fields.items():
        assert sorted(fields[name]) == sorted(toks), name
    assert fields["name"] == doc.fields["name"]  # in order, so adjacent pairs survive


def test_reindex_in_the_same_process_is_seen_by_an_open_copy(app):
    add_entry(app, "lab/tool", name="Tool", summary="Words.")
    assert _answer(app, "words")[0] == 1
    with write_session(app) as s:
        reindex(s)
        assert s.execute(text("SELECT count(*) FROM search_index_changes")).scalar_one() == 0  # a reset needs no notes
    assert _answer(app, "words")[0] == 1 and _index(app).loads == 2


def test_changes_read_one_at_a_time_stay_in_a_few_segments(pair):
    app, database = pair
    for i in range(4):
        add_entry(app, f"lab/item-{i}", name=f"Item {i}", summary="start words")
    assert _answer(app, "words")[0] == 4
    for i in range(20):  # a change, then a query: each query reads just that change
        add_entry(app, f"lab/item-{i % 6}", name=f"Item {i % 6}", summary=f"words round{i}")
        ours = _answer(app, f"round{i}")  # (widened by typo fixes: round11 is one letter from round12)
        assert ours[2][0] == f"lab/item-{i % 6}" and ours == _answer(database, f"round{i}")
        assert len(_index(app).snapshot.segments) <= 6
    assert _index(app).loads == 1
    for q in ("words", "start", "round19", "round3"):
        assert _answer(app, q) == _answer(database, q), q


def test_warming_reads_the_index_before_the_first_search(app):
    from registry.gunicorn_hooks import post_worker_init
    from registry.search import warm

    add_entry(app, "lab/tool", name="Tool", summary="Words.")
    post_worker_init(type("Worker", (), {"wsgi": app})())  # what gunicorn calls in each new worker
    assert _index(app).loads == 1
    assert _answer(app, "words")[0] == 1 and _index(app).loads == 1
    off = _twin(app, in_memory=False)
    try:
        assert warm(get_engine(off)) is False
    finally:
        get_engine(off).dispose()


def test_an_entry_with_many_facet_values_is_counted_whole(pair):
    app, database = pair
    many = ["sw", "en", "yo", "ha", "ig", "zu", "xh", "am", "so", "rw", "ln", "wo", "ff", "om"]
    add_entry(app, "lab/pan-african", name="Pan African Speech", summary="speech in many languages",
              languages=many, tasks=["automatic-speech-recognition", "translation"], tags=["asr"])
    add_entry(app, "lab/small", name="Small Speech", summary="speech", languages=["sw"])
    ours, theirs = _answer(app, "speech"), _answer(database, "speech")
    assert ours[:2] == theirs[:2] and sorted(ours[2]) == sorted(theirs[2])  # PostgreSQL's database path ranks otherwise
    assert ours[1]["language"]["om"] == 1 and ours[1]["language"]["sw"] == 2  # past the table's fixed width
    assert _answer(app, "speech", filters={"language": ["om"]})[2] == ["lab/pan-african"]


def test_facet_bitmaps_count_what_the_table_counts():
    import numpy as np

    rng = np.random.default_rng(5)
    n = 10_000
    by_code = {1: np.arange(0, n, 2), 2: np.flatnonzero(rng.random(n) < 0.4), 3: np.asarray([7, 63, 64, 9_999]),
               4: np.arange(n), 5: np.asarray([], dtype=np.int64), 6: np.flatnonzero(rng.random(n) < 0.01)}
    bitmaps = segments.CodeBitmaps.of(by_code, n)
    assert set(bitmaps.dense_codes.tolist()) == {1, 2, 4}  # the frequent ones; the rest keep their slot lists
    for share in (0.0, 0.001, 0.3, 1.0):
        mask = rng.random(n) < share
        codes, tallies = bitmaps.count(mask)
        got = {c: t for c, t in zip(codes.tolist(), tallies.tolist()) if t}
        assert got == {c: int(mask[s].sum()) for c, s in by_code.items() if mask[s].sum()}


def test_the_copy_counts_large_selections_with_bitmaps(pair, monkeypatch):
    # Segments this small keep no bitmaps unless told to; counted either way, the facets are the same.
    monkeypatch.setattr(segments, "BITMAP_MIN_SLOTS", 0)
    app, database = pair
    _fill(app, 60)
    assert len(_answer(app, "model")[1]) and len(_index(app).snapshot.segments[0].counting.dense_codes) > 3
    for q in ("", "model", "riv*", "语"):
        for filters in ({}, {"kind": ["model"]}, {"language": ["sw", "zh-Hans"]}):
            ours, theirs = _answer(app, q, filters=filters), _answer(database, q, filters=filters)
            assert ours[:2] == theirs[:2], (q, filters)


def test_postings_with_keys_too_wide_to_pack_are_numbered_first():
    import numpy as np

    rng = np.random.default_rng(3)
    keys = rng.integers(0, 50, 400).astype(np.int64) << 32
    slots = np.sort(rng.integers(0, 30, 400)).astype(np.int32)
    fields = rng.integers(0, 5, 400).astype(np.int8)
    packed = segments._postings(keys.copy(), 2 ** 40, slots, fields, 30)  # (key, slot, field) fits no integer
    expected: dict[tuple[int, int], float] = {}
    for k, s, f in zip(keys.tolist(), slots.tolist(), fields.tolist()):
        expected[k, s] = expected.get((k, s), 0.0) + FIELD_WEIGHTS[f]
    got = {}
    for at, key in enumerate(packed.keys.tolist()):
        for p in range(packed.ptr[at], packed.ptr[at + 1]):
            got[key, int(packed.slots[p])] = float(packed.freq[p])
    assert got == expected


def test_readers_in_threads_and_a_writer_agree_with_the_database_at_the_end(pair):
    import threading

    app, database = pair
    _fill(app, 12)
    errors: list[BaseException] = []
    stop = threading.Event()

    def read():
        try:
            while not stop.is_set():
                total, facets, _, _ = _answer(app, "river OR speech")
                assert sum(facets["kind"].values()) == total
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        for i in range(12):
            add_entry(app, f"lab/item-{i}", name=f"Item {i}", summary="speech " * (i % 3 + 1), kind="dataset")
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert errors == []
    for q in ("river OR speech", "speech", "river"):
        ours, theirs = _answer(app, q), _answer(database, q)
        assert ours[:2] == theirs[:2], q


def test_hidden_entries_with_large_ids_are_left_out(app):
    with write_session(app) as s:  # on PostgreSQL, ids whose square no 32-bit integer holds
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT setval(pg_get_serial_sequence('entries', 'id'), 3000000)"))
    for name in ("one", "two"):
        add_entry(app, f"lab/{name}", name=name.title(), summary="shared words")
    with write_session(app) as s:
        entry = s.exec(select(Entry).where(Entry.slug == "lab/one")).one()
        entry.hidden = True  # behind the index's back: the query itself must leave it out
    assert _answer(app, "shared")[2] == ["lab/two"]
    with write_session(app) as s:
        s.exec(select(Entry).where(Entry.slug == "lab/one")).one().hidden = False
    assert sorted(_answer(app, "shared")[2]) == ["lab/one", "lab/two"]


@pytest.mark.parametrize("shape", ["random", "ascending", "all equal"])
def test_the_page_is_the_one_a_full_sort_gives_however_many_match(shape):
    # Among many matches the page's threshold is first taken from a sample of the scores; the
    # page must still be exactly what sorting everything gives (exact names, score, then id).
    import numpy as np
    rng = np.random.default_rng(5)
    n = 40_000
    ids = np.arange(n, dtype=np.int64) * 3 + 1
    score = {"random": rng.integers(0, 3000, n).astype(float),  # many ties
             "ascending": np.arange(n, dtype=float), "all equal": np.ones(n)}[shape]
    exact = np.zeros(n, dtype=bool)
    exact[rng.choice(n, 4, replace=False)] = True
    full = sorted(range(n), key=lambda i: (not exact[i], -score[i], ids[i]))
    for offset, limit in [(0, 20), (20, 20), (1980, 20), (0, 1)]:
        assert memory._top(ids, exact, score, offset, limit) == [int(ids[i]) for i in full[offset:offset + limit]]
