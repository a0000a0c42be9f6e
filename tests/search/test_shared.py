"""The shared index: sets in files that every process maps, one builder, nothing damaged ever read."""
from __future__ import annotations

import json
import os
import threading
import time

import numpy as np
import pytest
from sqlalchemy import text

from registry import create_app
from registry.db import get_engine, read_session, write_session
from registry.jobs.scheduler import run_scheduler
from registry.search import backend_for, build, counts, memory, store
from registry.search.query import parse_query
from registry.search.segments import build_segment
from tests.helpers import add_entry
from tests.search.test_memory import QUERIES, _answer, _fill, _index


def _other_process(app, **config):
    """Another app on the same database and the same index directory: another worker, as far as the index can tell."""
    return create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "other",
                       "INSTANCE_PATH": app.instance_path + "-other",
                       "SEARCH_INDEX_DIR": str(build.directory_of(app)), **config})


@pytest.fixture
def other(app):
    made = []

    def make(**config):
        made.append(_other_process(app, **config))
        return made[-1]

    yield make
    for one in made:
        get_engine(one).dispose()


@pytest.fixture
def database(app):
    """An app on the same database that answers from the database alone."""
    only = create_app({"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "db",
                       "INSTANCE_PATH": app.instance_path + "-db", "SEARCH_IN_MEMORY": False})
    yield only
    get_engine(only).dispose()


def _directory(app):
    return build.directory_of(app)


def _manifest(app) -> dict:
    return json.loads((_directory(app) / store.MANIFEST).read_text())


def _files(app) -> list[str]:
    """The directory's files, but for the current set's checked mark (made once the set has settled)."""
    current = _manifest(app)["set"]
    return sorted(p.name for p in _directory(app).iterdir() if p.name != current + store.CHECKED)


def _set_file(app):
    return _directory(app) / _manifest(app)["set"]


def _same_answers(app, database, queries=QUERIES):
    """The same totals, facets and pages as the database; on PostgreSQL, which ranks with ts_rank, the order of
    each page is compared with a copy this process reads from the database alone (no directory, no files)."""
    order = database
    if database.config["DATABASE_URL"].startswith("postgresql"):
        order = _other_process(database, SEARCH_INDEX_DIR="", SEARCH_IN_MEMORY=True)
    try:
        for q in queries:
            for filters in ({}, {"kind": ["model"]}, {"language": ["sw", "zh-Hans"], "license": ["MIT"]}):
                ours = _answer(app, q, filters=filters, per_page=7)
                theirs = _answer(database, q, filters=filters, per_page=7)
                assert (ours[0], ours[1], ours[3]) == (theirs[0], theirs[1], theirs[3]), q
                assert ours[2] == _answer(order, q, filters=filters, per_page=7)[2], q
    finally:
        if order is not database:
            assert _index(order).shared is None
            get_engine(order).dispose()


def test_the_first_process_builds_the_set_and_the_next_one_opens_it(app, other, database):
    _fill(app, 40)
    assert _answer(app, "river")[0] > 0
    index = _index(app)
    assert index.shared is not None and index.snapshot.base == len(index.shared.segments)
    assert not index.snapshot.segments[0].words.slots.flags.writeable  # mapped read-only from the file
    name = _manifest(app)["set"]
    second = other()
    _same_answers(second, database, QUERIES[::3])
    assert _index(second).shared.name == name  # opened, not built again
    assert _files(app) == sorted(["lock", "manifest.json", name])


def test_a_mapped_segment_answers_as_the_one_built_in_memory(app, tmp_path):
    _fill(app, 50)
    with write_session(app) as s:
        rows = list(backend_for(s).memory_rows(s, None))
    built = build_segment(rows, counts.CODE_DIGITS)
    writer = store.SetWriter(tmp_path, generation=1, reset_generation=1, database="d", code_digits=counts.CODE_DIGITS)
    writer.add(built)
    writer.commit()
    mapped = store.open_set(tmp_path, database="d", code_digits=counts.CODE_DIGITS).segments[0]
    for name, array in store.segment_arrays(built).items():
        assert np.array_equal(store.segment_arrays(mapped)[name], array), name
    assert list(mapped.vocab) == list(built.vocab) and mapped.token_id("river") == built.token_id("river")
    assert mapped.prefix_ids("riv") == built.prefix_ids("riv") and mapped.token_id("zzz") is None
    snapshots = [memory.Snapshot([seg], [np.ones(seg.size, dtype=bool)], 1) for seg in (built, mapped)]
    for q in QUERIES:
        parsed = parse_query(q)
        found = [memory.rank(snap, parsed, filter_codes=[], hidden=[], offset=0, limit=10, now=0.0,
                             exact_phrase=lambda clause: []) for snap in snapshots]
        assert found[0] == found[1], q


@pytest.mark.parametrize("damage", ["truncate", "corrupt", "missing", "format", "manifest", "other database"])
def test_a_damaged_set_is_never_read_and_is_built_again(app, other, database, damage):
    _fill(app, 30)
    assert _answer(app, "river")[0] > 0
    path, manifest = _set_file(app), _manifest(app)
    if damage == "truncate":
        with open(path, "r+b") as fh:
            fh.truncate(path.stat().st_size - 100)
    elif damage == "corrupt":  # one byte in the middle of the postings
        spec = manifest["arrays"]["s0.words.slots"]
        with open(path, "r+b") as fh:
            fh.seek(spec["offset"] + 8)
            byte = fh.read(1)
            fh.seek(spec["offset"] + 8)
            fh.write(bytes([byte[0] ^ 0x55]))
    elif damage == "missing":
        path.unlink()
    elif damage == "format":
        (_directory(app) / store.MANIFEST).write_text(json.dumps({**manifest, "format": store.FORMAT + 1}))
    elif damage == "manifest":
        (_directory(app) / store.MANIFEST).write_text('{"format": 1, "set": "set-1-')
    else:
        (_directory(app) / store.MANIFEST).write_text(json.dumps({**manifest, "database": "another"}))
    assert store.open_set(_directory(app), database=manifest["database"], code_digits=counts.CODE_DIGITS) is None
    second = other()
    _same_answers(second, database, QUERIES[:6])
    assert _index(second).shared is not None and _index(second).shared.name != manifest["set"]  # built anew
    assert not (_directory(app) / manifest["set"]).exists() or damage in ("format", "other database")


def test_a_set_is_summed_once_until_its_file_changes(app, monkeypatch):
    _fill(app, 30)
    assert _answer(app, "river")[0] > 0
    path, manifest = _set_file(app), _manifest(app)
    mark = path.parent / (path.name + ".ok")
    summed = []
    real = store._crc32
    monkeypatch.setattr(store, "_crc32", lambda fh: summed.append(1) or real(fh))

    def opened():
        return store.open_set(_directory(app), database=manifest["database"], code_digits=counts.CODE_DIGITS)

    def settle():  # a file is marked only once it has not changed for a moment
        time.sleep(store.SETTLED_S + 0.05)

    settle()
    summed.clear()
    mark.unlink(missing_ok=True)
    assert opened() is not None and summed == [1] and mark.exists()  # the first reader sums and marks
    assert opened() is not None and opened() is not None and summed == [1]  # the next ones do not
    # The same byte written back over itself: the content is right, but the file was written to.
    spec = manifest["arrays"]["s0.words.slots"]
    with open(path, "r+b") as fh:
        fh.seek(spec["offset"])
        byte = fh.read(1)
        fh.seek(spec["offset"])
        fh.write(byte)
    assert opened() is not None and summed == [1, 1]  # summed again (and found right)
    settle()
    assert opened() is not None and summed == [1, 1, 1]  # marked now that it has settled
    assert opened() is not None and summed == [1, 1, 1]
    # A damaged byte with the modification time set back: the change time still moves, so it is summed.
    stat = path.stat()
    with open(path, "r+b") as fh:
        fh.seek(spec["offset"])
        fh.write(bytes([byte[0] ^ 0x55]))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert opened() is None and summed == [1, 1, 1, 1]
    settle()
    assert opened() is None and summed == [1, 1, 1, 1, 1]  # and never marked while wrong


def test_a_build_that_fails_midway_leaves_the_old_set_named(app, monkeypatch):
    _fill(app, 30)
    assert _answer(app, "river")[0] > 0
    before = _manifest(app)
    monkeypatch.setattr(build, "CHUNK_TOKENS", 50)  # many segments: fail while writing the third

    def failing(writer_add=store.SetWriter.add):
        def add(self, seg):
            if len(self.manifest["segments"]) == 2:
                raise RuntimeError("the machine went down")
            writer_add(self, seg)
        return add

    monkeypatch.setattr(store.SetWriter, "add", failing())
    engine = get_engine(app)
    with pytest.raises(RuntimeError):
        build.build_set(engine, backend_for_engine(app), counts.CODE_DIGITS, _directory(app))
    assert _manifest(app) == before
    assert _files(app) == sorted(["lock", "manifest.json", before["set"]])
    # A build killed outright leaves a dot file: never named, removed by the next builder.
    (_directory(app) / ".set-99-0123abcd").write_bytes(b"half")
    monkeypatch.undo()
    build.build_set(engine, backend_for_engine(app), counts.CODE_DIGITS, _directory(app))
    assert [p.name for p in _directory(app).iterdir() if p.name.startswith(".")] == []


def backend_for_engine(app):
    with app.app_context():
        return backend_for(read_session()).memory_rows


def test_a_set_in_several_segments_answers_as_the_database(app, other, database, monkeypatch):
    _fill(app, 60)
    monkeypatch.setattr(build, "CHUNK_TOKENS", 400)
    build.build_set(get_engine(app), backend_for_engine(app), counts.CODE_DIGITS, _directory(app))
    assert len(_manifest(app)["segments"]) > 3
    second = other()
    _same_answers(second, database, QUERIES[::2])
    assert len(_index(second).shared.segments) == len(_manifest(app)["segments"])
    for i in range(3):  # changes after the set: private segments after the set's
        add_entry(app, f"lab/item-{i}", name=f"Item {i}", summary="river words changed")
    _same_answers(second, database, ["river", "changed", "words", "riv*"])


def test_changes_after_the_set_are_read_from_the_notes_and_folded_later(app, other, database, monkeypatch):
    _fill(app, 20)
    assert _answer(app, "river")[0] > 0
    first_set = _manifest(app)["set"]
    second = other()
    assert _answer(second, "river")[0] > 0
    add_entry(app, "lab/item-1", name="Item 1", summary="brand new vocabulary")
    assert _answer(second, "vocabulary")[0] == 1 and _index(second).loads == 1  # a private segment, same set
    monkeypatch.setattr(memory, "DELTA_MIN", 2)
    monkeypatch.setattr(memory, "DELTA_SHARE", 0.0)
    for i in range(2, 6):
        add_entry(app, f"lab/item-{i}", name=f"Item {i}", summary="brand new vocabulary")
    assert _answer(second, "vocabulary")[0] == 5  # too many apart: folded into a new set in the background
    _index(second).folding.join(10)
    assert _manifest(app)["set"] != first_set
    assert _answer(second, "vocabulary")[0] == 5 and _index(second).shared.name == _manifest(app)["set"]
    assert not (_directory(app) / first_set).exists()  # no manifest names it: removed
    assert _answer(app, "vocabulary") == _answer(database, "vocabulary")  # the first one still mapped the old
    assert _index(app).shared.name == _manifest(app)["set"]  # and moved to the new one on its next refresh


def test_no_query_waits_for_a_fold(app, other, database, monkeypatch):
    _fill(app, 20)
    assert _answer(app, "river")[0] > 0
    second = other()
    assert _answer(second, "river")[0] > 0
    first_set = _manifest(app)["set"]
    monkeypatch.setattr(memory, "DELTA_MIN", 2)
    monkeypatch.setattr(memory, "DELTA_SHARE", 0.0)
    started, release = threading.Event(), threading.Event()
    real = build.build_set

    def held(*args, **kwargs):  # a fold that takes as long as the test says
        started.set()
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "build_set", held)
    for i in range(2, 6):
        add_entry(app, f"lab/item-{i}", name=f"Item {i}", summary="brand new vocabulary")
    try:
        assert _answer(second, "vocabulary")[0] == 4  # answered while the fold is held
        assert started.wait(10) and _index(second).folding.is_alive()
        add_entry(app, "lab/item-7", name="Item 7", summary="brand new vocabulary")
        _same_answers(second, database, ["vocabulary", "river"])  # and again, with a change since
        assert _index(second).shared.name == first_set
    finally:
        release.set()
    _index(second).folding.join(10)
    assert _answer(second, "vocabulary")[0] == 5 and _index(second).shared.name == _manifest(app)["set"] != first_set


def test_a_set_of_another_reset_or_too_far_behind_is_not_used(app, runner, other, database, monkeypatch):
    _fill(app, 20)
    assert _answer(app, "river")[0] > 0
    old = _manifest(app)
    with write_session(app) as s:
        s.execute(text("UPDATE entries SET summary = 'rewritten' WHERE slug = 'lab/item-1'"))
    result = runner.invoke(args=["reindex"])
    assert result.exit_code == 0 and "Built set-" in result.output
    assert _manifest(app)["reset_generation"] != old["reset_generation"]
    assert _answer(app, "rewritten")[2] == ["lab/item-1"]
    # Far behind: the notes do not reach back to the set's generation any more.
    monkeypatch.setattr(memory, "KEEP_CHANGES", 2)
    built = _manifest(app)["set"]
    for i in range(4):
        add_entry(app, f"lab/item-{i}", name=f"Item {i}", summary="after the set")
    second = other()
    assert _answer(second, "after") == _answer(database, "after")
    assert _index(second).shared.name != built


def test_while_another_builds_the_database_answers(app, other, database):
    _fill(app, 20)
    second = other()
    directory = _directory(app)
    entered, release = threading.Event(), threading.Event()

    def hold():
        with store.locked(directory, wait=True):
            entered.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(10)
    try:
        assert _answer(second, "river") == _answer(database, "river")
        assert _index(second).snapshot is None  # nothing loaded: the database answered
    finally:
        release.set()
        holder.join()
    _same_answers(second, database, ["river"])
    assert _index(second).shared is not None


def test_without_a_directory_each_process_reads_its_own_copy(app, other, database, monkeypatch):
    _fill(app, 20)
    alone = other(SEARCH_INDEX_DIR="")
    _same_answers(alone, database, QUERIES[:5])
    assert _index(alone).shared is None and _index(alone).loads == 1
    monkeypatch.setattr(memory, "DELTA_MIN", 2)
    monkeypatch.setattr(memory, "DELTA_SHARE", 0.0)
    for i in range(2, 6):
        add_entry(app, f"lab/item-{i}", name=f"Item {i}", summary="brand new vocabulary")
    assert _answer(alone, "vocabulary")[0] == 4  # too many apart: a new copy is read in the background
    _index(alone).folding.join(10)
    add_entry(app, "lab/item-7", name="Item 7", summary="brand new vocabulary")  # after the fold read
    _same_answers(alone, database, ["vocabulary", "river"])
    assert _index(alone).loads == 2 and _index(alone).shared is None


def test_search_build_command_and_the_scheduler_fold(app, runner, monkeypatch):
    _fill(app, 10)
    result = runner.invoke(args=["search-build"])
    assert result.exit_code == 0 and "Built set-" in result.output and "10 entries" in result.output
    assert "up to date" in runner.invoke(args=["search-build", "--if-due"]).output
    add_entry(app, "lab/item-1", name="Item 1", summary="changed")
    monkeypatch.setattr(build, "FOLD_CHANGES", 0)
    before = _manifest(app)["set"]
    errors = []
    run_scheduler(app, interval=0, ticks=1, on_error=errors.append)
    assert _manifest(app)["set"] != before and _manifest(app)["generation"] > 0
    assert all("Redis" in str(e) or "redis" in str(e).lower() for e in errors), errors
    assert "up to date" in runner.invoke(args=["search-build", "--if-due"]).output
