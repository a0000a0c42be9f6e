"""A copy of the search index in each process's memory: queries ranked and counted in numpy.

The database's index (FTS5 or a tsvector) stays the truth and every write goes there; this copy
only answers reads. It holds, per indexed entry, a slot with the entry id, its length in tokens,
boost, freshness time, exact-name keys and facet codes, and two inverted indexes over the slots:
every token, and every pair of adjacent tokens (for phrases, and for unspaced scripts, whose
words are runs of one-character tokens). A query then costs array operations over the postings
of its own words instead of a pass over every match in the database: broad words, prefixes
and one-character Chinese queries find, score (the same bm25 as FTS5, with its field weights)
and count tens of thousands of matches in a few milliseconds.

Staying in step: every index write also bumps one counter row (``search_index_state``) and
notes the entry ids it touched (``search_index_changes``), in its own transaction. Before a
query the copy reads the counter; when it moved, it reads the noted entries' index rows again
into a small extra segment (or everything, after a `reindex` or when far behind). The counter's row lock orders the
writers, so changes are seen in the order they committed. A session that wrote the index in
its open transaction is answered by the database instead (the copy holds committed data only).

The copy keeps no positions. A two-token phrase is one pair; a longer one is narrowed down to
the entries holding each of its pairs, and the database (which has positions) says which of
them hold the whole phrase. Its frequency for ranking is that of its rarest pair.
"""
from __future__ import annotations

import bisect
import itertools
import threading
import time
import weakref
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable

import numpy as np
import regex
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from .documents import FIELD_WEIGHTS, FIELDS
from .query import LANGUAGE_MARK, Clause, ParsedQuery

#: bm25 as FTS5 computes it, with the same field weights as the SQLite backend.
K1, B = 1.2, 0.75
FIELD_WEIGHT = dict(zip(FIELDS, FIELD_WEIGHTS))
FRESHNESS_SECONDS = 180 * 86400.0
#: Changed entries are kept in small further segments; past this share of the first (or this
#: many), everything is read again.
DELTA_SHARE, DELTA_MIN = 0.2, 5000
#: Notes of changes kept in the database; a copy further behind reads everything again.
KEEP_CHANGES = 50_000
_SHIFT = np.int64(32)
#: Facet codes per slot kept in a fixed-width table (more are kept aside).
CODE_COLUMNS = 12


# --- the writers' side: a counter and the changed entries, in the writer's transaction -----------

def note_changes(session: Session, entry_ids: Iterable[int]) -> None:
    """Record that these entries' index rows changed (call in the transaction that changed them)."""
    ids = sorted(set(entry_ids))
    if not ids or session.info.get("search_index_reset"):
        return  # after a reset in this transaction every copy reads everything anyway
    generation = _bump(session, reset=False)
    session.execute(text("INSERT INTO search_index_changes (generation, entry_id) VALUES (:g, :e)"),
                    [{"g": generation, "e": i} for i in ids])
    if generation % 1000 == 0:
        session.execute(text("DELETE FROM search_index_changes WHERE generation < :g"),
                        {"g": generation - KEEP_CHANGES})
    session.info["search_index_written"] = True


def note_reset(session: Session) -> None:
    """Record that the whole index was emptied (a rebuild): every copy reads everything again."""
    _bump(session, reset=True)
    session.execute(text("DELETE FROM search_index_changes"))
    session.info["search_index_written"] = session.info["search_index_reset"] = True


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_rollback")
def _transaction_ended(session: OrmSession) -> None:
    session.info.pop("search_index_written", None)
    session.info.pop("search_index_reset", None)


def _bump(session: Session, *, reset: bool) -> int:
    # One row: its lock makes index writers commit in the order of their numbers.
    extra = ", reset_generation = generation + 1" if reset else ""
    return session.execute(text(f"UPDATE search_index_state SET generation = generation + 1{extra} "
                                "WHERE id = 1 RETURNING generation")).scalar_one()


# --- one segment: slots for a set of entries, and their postings ----------------------------------

@dataclass
class Postings:
    """Sorted keys (token ids, or token pairs as id << 32 | id) with the slots and weighted counts of each."""

    keys: np.ndarray
    ptr: np.ndarray
    slots: np.ndarray
    freq: np.ndarray

    def span(self, low: int, high: int) -> tuple[int, int]:
        """Return the range of postings of the keys in [low, high)."""
        a, b = np.searchsorted(self.keys, [low, high])
        return int(self.ptr[a]), int(self.ptr[b])


@dataclass
class Segment:
    ids: np.ndarray          # entry id of each slot
    length: np.ndarray       # tokens in the entry (all fields)
    boost: np.ndarray
    epoch: np.ndarray
    names: dict[str, np.ndarray]
    code_table: np.ndarray   # slot × the first CODE_COLUMNS facet codes (0: none)
    code_more: dict[int, np.ndarray]  # the codes past those, for the few slots that have more
    by_code: dict[int, np.ndarray]
    vocab: list[str]         # sorted tokens; a token's id is its place here
    words: Postings
    pairs: Postings

    @property
    def size(self) -> int:
        return len(self.ids)

    def token_id(self, token: str) -> int | None:
        at = bisect.bisect_left(self.vocab, token)
        return at if at < len(self.vocab) and self.vocab[at] == token else None

    def prefix_ids(self, prefix: str) -> tuple[int, int]:
        return bisect.bisect_left(self.vocab, prefix), bisect.bisect_left(self.vocab, prefix + "\U0010ffff")


@dataclass
class Row:
    """One entry's index row as the database keeps it."""

    entry_id: int
    fields: dict[str, list[str]]
    boost: float
    epoch: float
    name_keys: str
    facet_codes: str


def _decode_codes(hexes: str, digits: int) -> list[int]:
    return [int(hexes[i:i + digits], 16) for i in range(0, len(hexes), digits)]


def build_segment(rows: Iterable[Row], code_digits: int) -> Segment:
    """Build a segment from index rows: vocabulary, postings of tokens and of adjacent pairs, facets.

    Rows are consumed one at a time and only their token numbers kept, so a large index never
    exists as Python strings all at once.
    """
    vocab: defaultdict[str, int] = defaultdict(itertools.count().__next__)  # a new token gets the next number
    number_of = vocab.__getitem__
    token_ids = array("i")  # token numbers: 4 bytes each, a million entries hold 150 million
    run_lengths, run_fields = array("l"), array("b")
    per_slot, entry_ids = array("l"), array("q")
    boosts, epochs = array("d"), array("d")
    names: dict[str, list[int]] = {}
    codes, code_lens = array("l"), array("l")
    slot = -1
    for slot, row in enumerate(rows):
        count = 0
        for number, name in enumerate(FIELDS):
            toks = row.fields.get(name)
            if not toks:
                continue
            token_ids.extend(map(number_of, toks))
            run_lengths.append(len(toks))
            run_fields.append(number)
            count += len(toks)
        per_slot.append(count)
        entry_ids.append(row.entry_id)
        boosts.append(row.boost)
        epochs.append(row.epoch)
        for key in row.name_keys.strip("|").split("|"):
            if key:
                names.setdefault(key, []).append(slot)
        found = _decode_codes(row.facet_codes, code_digits)
        codes.extend(found)
        code_lens.append(len(found))
    n = slot + 1
    ordered = sorted(vocab)
    rank = np.empty(len(vocab), dtype=np.int32)
    rank[np.fromiter((vocab[t] for t in ordered), dtype=np.int64, count=len(ordered))] = np.arange(len(ordered), dtype=np.int32)
    del vocab
    tokens = rank[np.frombuffer(token_ids, dtype=np.int32)] if len(token_ids) else np.zeros(0, dtype=np.int32)
    del token_ids, rank
    runs = np.frombuffer(run_lengths, dtype=np.int_)
    field_of = np.repeat(np.frombuffer(run_fields, dtype=np.int8), runs)
    slot_of = np.repeat(np.arange(n, dtype=np.int32), np.frombuffer(per_slot, dtype=np.int_))
    words = _postings(tokens, len(ordered), slot_of, field_of, n)
    # Adjacent pairs within one field: every token but the first of each run follows another.
    follows = np.ones(len(tokens), dtype=bool)
    if len(runs):
        follows[np.cumsum(runs) - runs] = False
    nxt = np.flatnonzero(follows)
    del follows
    pair_keys = tokens[nxt - 1].astype(np.int64)
    pair_keys *= len(ordered)
    pair_keys += tokens[nxt]
    pairs = _postings(pair_keys, len(ordered) ** 2, slot_of[nxt], field_of[nxt], n)
    del pair_keys, nxt, tokens, slot_of, field_of
    pairs.keys = (pairs.keys // len(ordered) << _SHIFT) | (pairs.keys % len(ordered))
    lens = np.frombuffer(code_lens, dtype=np.int_).astype(np.int64)
    code_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=code_ptr[1:])
    all_codes = np.frombuffer(codes, dtype=np.int_).astype(np.int64)
    # A fixed-width table of each slot's codes (padded with 0, which no pair has) makes counting
    # a selection one gather and one bincount; codes past the width are kept aside.
    column = np.arange(len(all_codes)) - np.repeat(code_ptr[:-1], lens)
    narrow = column < CODE_COLUMNS
    code_table = np.zeros((n, CODE_COLUMNS), dtype=np.int64)
    code_table[np.repeat(np.arange(n), lens)[narrow], column[narrow]] = all_codes[narrow]
    code_more = {int(slot): all_codes[code_ptr[slot] + CODE_COLUMNS:code_ptr[slot + 1]]
                 for slot in np.flatnonzero(lens > CODE_COLUMNS)}
    code_slot = np.repeat(np.arange(n, dtype=np.int64), lens)
    order = np.argsort(all_codes, kind="stable")
    sorted_codes = all_codes[order]
    by_code: dict[int, np.ndarray] = {}
    if len(sorted_codes):
        starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
        ends = np.r_[starts[1:], len(sorted_codes)]
        for s, e in zip(starts.tolist(), ends.tolist()):
            by_code[int(sorted_codes[s])] = code_slot[order[s:e]]
    return Segment(ids=np.frombuffer(entry_ids, dtype=np.int64).copy(),
                   length=np.frombuffer(per_slot, dtype=np.int_).astype(np.float64),
                   boost=np.frombuffer(boosts, dtype=np.float64).copy(),
                   epoch=np.frombuffer(epochs, dtype=np.float64).copy(),
                   names={k: np.asarray(v, dtype=np.int64) for k, v in names.items()},
                   code_table=code_table, code_more=code_more, by_code=by_code, vocab=ordered, words=words, pairs=pairs)


_FIELD_WEIGHTS = np.asarray(FIELD_WEIGHTS, dtype=np.float32)


def _postings(keys: np.ndarray, bound: int, slots: np.ndarray, fields: np.ndarray, n: int) -> Postings:
    # One posting per key and slot, with the field-weighted count of its occurrences. With keys
    # below ``bound``, (key, slot, field) fits one integer, and one plain sort groups everything.
    empty = np.zeros(0, dtype=np.int64)
    if not len(keys):
        return Postings(empty, np.zeros(1, dtype=np.int64), empty.astype(np.int32), empty.astype(np.float32))
    if bound * max(n, 1) * 8 >= 2 ** 62:  # too wide: number the keys that occur first
        distinct, keys = np.unique(keys, return_inverse=True)
    else:
        distinct = None
    # In place: at a hundred thousand entries each of these arrays is over a hundred megabytes.
    packed = keys.astype(np.int64)
    packed *= n
    packed += slots
    packed *= 8
    packed += fields
    packed.sort()
    field_w = _FIELD_WEIGHTS[packed & 7]
    packed >>= 3
    starts = np.flatnonzero(np.r_[True, packed[1:] != packed[:-1]])
    freq = np.add.reduceat(field_w, starts).astype(np.float32)
    del field_w
    key, slot = np.divmod(packed[starts], n)
    del packed
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    found = key[first]
    return Postings(keys=found if distinct is None else distinct[found], ptr=np.r_[first, len(key)].astype(np.int64),
                    slots=slot.astype(np.int32), freq=freq)


# --- a snapshot: segments with the slots still alive, and the statistics bm25 needs ----------------

class Snapshot:
    """Segments and which of their slots are alive, as of one value of the counter; never changed."""

    def __init__(self, segments: list[Segment], alive: list[np.ndarray], generation: int):
        self.segments, self.alive, self.generation = segments, alive, generation
        #: What FTS5 keeps for bm25: the number of indexed rows and their average length in tokens.
        self.rows = int(sum(int(a.sum()) for a in alive))
        self.average_length = (sum(float(seg.length[a].sum()) for seg, a in zip(segments, alive))
                               / max(1, self.rows))


@dataclass
class Ranked:
    """What a query found: the total, the count of each facet code, and the requested page's entry ids."""

    total: int
    codes: Counter
    page: list[int]


def _clause(seg: Segment, clause: Clause, exact) -> tuple[np.ndarray, np.ndarray]:
    """Return the slots a clause matches in a segment (ascending) and its weighted frequency in each.

    ``exact(clause)`` returns the ids of the entries that hold a long phrase whole; it is asked
    only when the phrase's pairs found something.
    """
    toks = clause.tokens
    n = seg.size
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
    ids = [seg.token_id(t) for t in (toks[:-1] if clause.prefix else toks)]
    if any(i is None for i in ids):
        return empty
    if clause.prefix:
        low, high = seg.prefix_ids(toks[-1])
        if low >= high:
            return empty
    if len(toks) == 1:
        if clause.prefix:
            a, b = seg.words.span(low, high)
        else:
            a, b = seg.words.span(ids[0], ids[0] + 1)
        return _gather(seg.words, a, b, n)
    # A phrase: each adjacent pair must be there; the rarest pair gives the frequency.
    found: tuple[np.ndarray, np.ndarray] | None = None
    steps = [(ids[i], ids[i + 1], ids[i + 1] + 1) for i in range(len(ids) - 1)]
    if clause.prefix:
        steps.append((ids[-1], low, high))
    for first, low2, high2 in steps:
        a, b = seg.pairs.span((first << 32) | low2, (first << 32) | high2)
        slots, freq = _gather(seg.pairs, a, b, n)
        if found is None:
            found = (slots, freq)
        else:
            both, i, j = np.intersect1d(found[0], slots, assume_unique=True, return_indices=True)
            found = (both, np.minimum(found[1][i], freq[j]))
        if not len(found[0]):
            return empty
    if len(toks) >= 3:
        whole = np.sort(_slots_of(seg, exact(clause)))
        both, i, _ = np.intersect1d(found[0], whole, assume_unique=True, return_indices=True)
        found = (both, found[1][i])
    return found


def _gather(postings: Postings, a: int, b: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    slots, freq = postings.slots[a:b], postings.freq[a:b]
    if len(slots) and not np.all(slots[1:] > slots[:-1]):  # several keys (a prefix): add up per slot
        dense = np.bincount(slots, weights=freq, minlength=n)
        hit = np.flatnonzero(dense)
        return hit, dense[hit]
    return slots.astype(np.int64), freq.astype(np.float64)


def rank(snapshot: Snapshot, query: ParsedQuery | None, *, filter_codes: list[list[int]], hidden: list[int],
         offset: int, limit: int, exact_phrase, now: float | None = None) -> Ranked:
    """Find, count and rank a query's matches: exact name first, then bm25 × boosts, then entry id.

    Without a query every entry is a match (browsing: counted, not ranked). ``filter_codes``
    holds, per filtered facet, the codes of its wanted values (one must match); ``hidden`` are
    entry ids never to show whatever the index says. ``exact_phrase(clause)`` returns the ids of
    the entries that hold a phrase of three or more tokens exactly (the database knows positions;
    the pairs here only narrow it down).
    """
    now = time.time() if now is None else now
    hidden = np.asarray(hidden, dtype=np.int64)
    phrases = [c for g in query.groups for c in g.clauses] if query else []
    excluded = query.excluded if query else []
    verified: dict[Clause, np.ndarray] = {}

    def exact(clause: Clause) -> np.ndarray:  # asked once per phrase, whatever the number of segments
        if clause not in verified:
            verified[clause] = np.asarray(exact_phrase(clause), dtype=np.int64)
        return verified[clause]
    per_seg = []
    hits = np.zeros(len(phrases))
    for seg, alive in zip(snapshot.segments, snapshot.alive):
        found = [_clause(seg, c, exact) for c in phrases]
        for i, (slots, _) in enumerate(found):
            hits[i] += int(alive[slots].sum()) if len(slots) else 0
        per_seg.append(found)
    idf = np.log((snapshot.rows - hits + 0.5) / (hits + 0.5))
    idf[idf <= 0] = 1e-6
    avgdl = snapshot.average_length or 1.0
    ids_all, exact_all, score_all, code_counts = [], [], [], Counter()
    total = 0
    for seg, alive, found in zip(snapshot.segments, snapshot.alive, per_seg):
        n = seg.size
        mask = alive.copy()
        clauses = iter(found)
        for group in query.groups if query else []:
            want = np.zeros(n, dtype=bool)
            for _ in group.clauses:
                want[next(clauses)[0]] = True
            mask &= want
        for clause in excluded:
            mask[_clause(seg, clause, exact)[0]] = False
        for wanted in filter_codes:
            want = np.zeros(n, dtype=bool)
            for code in wanted:
                slots = seg.by_code.get(code)
                if slots is not None:
                    want[slots] = True
            mask &= want
        if len(hidden):
            mask[_slots_of(seg, hidden)] = False
        sel = np.flatnonzero(mask)
        if not len(sel):
            continue
        total += len(sel)
        code_counts.update(_count_codes(seg, sel))
        if not query or not limit:
            continue
        norm = K1 * (1 - B + B * seg.length[sel] / avgdl)
        score = np.zeros(len(sel))
        scratch = np.zeros(n)
        for i, (slots, freq) in enumerate(found):
            if not len(slots):
                continue
            scratch[slots] = freq
            f = scratch[sel]
            score += idf[i] * (f * (K1 + 1.0)) / (f + norm)
            scratch[slots] = 0.0
        score *= seg.boost[sel] * (1.0 + 0.25 / (1.0 + (now - seg.epoch[sel]) / FRESHNESS_SECONDS))
        named = seg.names.get(query.key) if query.key else None
        ids_all.append(seg.ids[sel])
        exact_all.append(np.isin(sel, named) if named is not None else np.zeros(len(sel), dtype=bool))
        score_all.append(score)
    if not ids_all:
        return Ranked(total, code_counts, [])
    page = _top(np.concatenate(ids_all), np.concatenate(exact_all), np.concatenate(score_all), offset, limit)
    return Ranked(total, code_counts, page)


def _slots_of(seg: Segment, entry_ids: np.ndarray) -> np.ndarray:
    # Slots are in entry order, so a binary search finds each id's slot (ids not here are dropped).
    if not seg.size or not len(entry_ids):
        return np.zeros(0, dtype=np.int64)
    at = np.minimum(np.searchsorted(seg.ids, entry_ids), seg.size - 1)
    return at[seg.ids[at] == entry_ids]


def _count_codes(seg: Segment, sel: np.ndarray) -> Counter:
    tally = np.bincount(seg.code_table[sel].ravel())
    tally[0] = 0  # padding
    present = np.flatnonzero(tally)
    found = Counter(dict(zip(present.tolist(), tally[present].tolist())))
    if seg.code_more:
        for slot in np.intersect1d(sel, np.fromiter(seg.code_more, dtype=np.int64)).tolist():
            found.update(seg.code_more[slot].tolist())
    return found


def _top(ids: np.ndarray, exact: np.ndarray, score: np.ndarray, offset: int, limit: int) -> list[int]:
    # Order: exact name first, then higher score, then lower id; only the first offset+limit are sorted.
    want = offset + limit
    key = np.where(exact, np.inf, score)
    if want < len(ids):
        threshold = np.partition(key, len(key) - want)[len(key) - want]
        keep = np.flatnonzero(key >= threshold)  # ties at the threshold all stay
        ids, exact, score = ids[keep], exact[keep], score[keep]
    order = np.lexsort((ids, -score, ~exact))
    return ids[order][offset:offset + limit].tolist()


# --- one index per database, refreshed from the change notes ---------------------------------------

class MemoryIndex:
    """The in-memory copy of one database's search index, brought up to date before each query."""

    def __init__(self, reader, code_digits: int):
        self._reader = reader
        self._code_digits = code_digits
        self._lock = threading.Lock()
        self.snapshot: Snapshot | None = None
        self.reset_generation = -1
        self.loads = 0
        #: Facet codes never change once given (until the index's tables are made again, which
        #: changes the reset number), so both directions are kept once looked up.
        self.pair_of_code: dict[int, str] = {}
        self.code_of_pair: dict[str, int] = {}
        self._hidden: tuple = (None, np.zeros(0, dtype=np.int64))

    def hidden_ids(self, fingerprint, load) -> np.ndarray:
        """Return the ids of entries never to show, calling load() only when fingerprint() changed."""
        known, ids = self._hidden
        fingerprint = fingerprint()
        if known != fingerprint:
            ids = np.asarray(load(), dtype=np.int64)
            self._hidden = (fingerprint, ids)
        return ids

    def current(self, session: Session) -> Snapshot:
        """Return a snapshot at least as new as the database's counter as this session sees it."""
        generation, reset = session.execute(
            text("SELECT generation, reset_generation FROM search_index_state WHERE id = 1")).one()
        snap = self.snapshot
        # A newer snapshot than this session's view (another thread refreshed it) holds committed
        # changes too: reading them is what a session started a moment later would do.
        if snap is not None and snap.generation >= generation and reset == self.reset_generation:
            return snap
        with self._lock:
            snap = self.snapshot
            if snap is not None and snap.generation >= generation and reset == self.reset_generation:
                return snap
            if snap is None or reset != self.reset_generation or generation - snap.generation > KEEP_CHANGES:
                # Codes are numbered for good, but a migration that makes the index again numbers them anew.
                self.pair_of_code, self.code_of_pair = {}, {}
                snap = self._load_all(session, generation)
                self.reset_generation = reset
            else:
                snap = self._apply(session, snap, generation)
            self.snapshot = snap
            return snap

    def _load_all(self, session: Session, generation: int) -> Snapshot:
        base = build_segment(self._reader(session, None), self._code_digits)
        self.loads += 1
        return Snapshot([base], [np.ones(base.size, dtype=bool)], generation)

    def _apply(self, session: Session, snap: Snapshot, generation: int) -> Snapshot:
        """Return the snapshot with the entries noted since it was taken read again.

        Their old slots die; their current rows become a new small segment. Small segments are
        merged like a binary counter (the last two while the older is at most twice the newer), so
        there are only a few and each row is read again only a few times; when the changed rows
        outgrow a share of the first segment, everything is read again.
        """
        changed = sorted(r[0] for r in session.execute(
            text("SELECT DISTINCT entry_id FROM search_index_changes WHERE generation > :g"), {"g": snap.generation}))
        if not changed:
            return Snapshot(snap.segments, snap.alive, generation)
        gone = np.asarray(changed, dtype=np.int64)
        segments, alive = list(snap.segments), []
        for seg, live in zip(segments, snap.alive):
            live = live.copy()
            live[_slots_of(seg, gone)] = False
            alive.append(live)
        rows = list(self._reader(session, changed))
        if rows:
            segments.append(build_segment(rows, self._code_digits))
            alive.append(np.ones(len(rows), dtype=bool))
        while len(segments) > 2 and alive[-2].sum() <= 2 * alive[-1].sum():
            ids = sorted(segments[-2].ids[alive[-2]].tolist() + segments[-1].ids[alive[-1]].tolist())
            del segments[-2:], alive[-2:]
            merged = list(self._reader(session, ids))
            if merged:
                segments.append(build_segment(merged, self._code_digits))
                alive.append(np.ones(len(merged), dtype=bool))
        newer = sum(int(a.sum()) for a in alive[1:])
        if newer > max(DELTA_MIN, DELTA_SHARE * segments[0].size):
            return self._load_all(session, generation)
        return Snapshot(segments, alive, generation)


_INDEXES: "weakref.WeakKeyDictionary[Engine, MemoryIndex]" = weakref.WeakKeyDictionary()
_ENABLED: "weakref.WeakSet[Engine]" = weakref.WeakSet()
_REGISTRY_LOCK = threading.Lock()


def enable(engine: Engine) -> None:
    """Answer this database's ranked queries from memory (create_app does it unless SEARCH_IN_MEMORY is off)."""
    _ENABLED.add(engine)


def index_for(session: Session, reader, code_digits: int) -> MemoryIndex | None:
    """Return the memory index of the session's database, or None when the database must answer.

    The database answers when the copy is off for it, or when this session changed the index in
    its open transaction (the copy has committed rows only).
    """
    engine = session.get_bind()
    if not isinstance(engine, Engine) or engine not in _ENABLED or session.info.get("search_index_written"):
        return None
    with _REGISTRY_LOCK:
        found = _INDEXES.get(engine)
        if found is None:
            found = _INDEXES[engine] = MemoryIndex(reader, code_digits)
    return found


# --- reading index rows back from PostgreSQL's tsvector text ---------------------------------------

_LEXEME = regex.compile(r"'((?:[^']|'')*)'(?::([0-9A-D,]+))?")
_POSITION = regex.compile(r"(\d+)([A-D]?)")
_WEIGHT_FIELD = {"A": "name", "C": "summary", "D": "description"}


def fields_from_tsvector(value: str) -> dict[str, list[str]]:
    """Return a tsvector's tokens per field, in position order (B is tags, or langs for a language mark)."""
    placed: list[tuple[int, str, str]] = []
    for lexeme, positions in _LEXEME.findall(value):
        token = lexeme.replace("''", "'").replace("\\\\", "\\")
        for pos, weight in _POSITION.findall(positions or ""):
            weight = weight or "D"
            if weight == "B":
                name = "langs" if token.startswith(LANGUAGE_MARK) else "tags"
            else:
                name = _WEIGHT_FIELD[weight]
            placed.append((int(pos), name, token))
    placed.sort()
    fields: dict[str, list[str]] = {name: [] for name in FIELDS}
    for _, name, token in placed:
        fields[name].append(token)
    return fields
