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

Phrases: a two-token phrase is one pair. A longer one is narrowed down to the entries holding
each of its pairs; whether they hold the whole phrase is then decided from the positions the
copy keeps for pairs of one-character tokens (which is how Chinese and Japanese words are
indexed, so every such word of three or more characters is answered from memory), or else by
the database, which has every position. Its frequency for ranking is that of its rarest pair.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from .changes import KEEP_CHANGES
from .documents import FRESHNESS_SECONDS
from .query import Clause, ParsedQuery
from .segments import CODE_COLUMNS, Postings, Segment, build_segment

#: bm25 as FTS5 computes it, with the same field weights as the SQLite backend.
K1, B = 1.2, 0.75
#: Changed entries are kept in small further segments; past this share of the first (or this
#: many), everything is read again.
DELTA_SHARE, DELTA_MIN = 0.2, 5000


# --- a snapshot: segments with the slots still alive, and the statistics bm25 needs ----------------


class Snapshot:
    """Segments and which of their slots are alive, as of one value of the counter; never changed."""

    def __init__(self, segments: list[Segment], alive: list[np.ndarray], generation: int):
        self.segments, self.alive, self.generation = segments, alive, generation
        #: What FTS5 keeps for bm25: the number of indexed rows and their average length in tokens.
        self.rows = int(sum(int(a.sum()) for a in alive))
        self.average_length = sum(float(seg.length[a].sum()) for seg, a in zip(segments, alive, strict=False)) / max(
            1, self.rows
        )
        # bm25's length normalisation of each slot, and which slots may be shown: made on first use.
        self._norms: list[np.ndarray] | None = None
        self._visible: tuple[np.ndarray, list[np.ndarray]] | None = None

    def norms(self) -> list[np.ndarray]:
        """Return, per segment, bm25's K1 · (1 − B + B · length / average length) of each slot."""
        if self._norms is None:
            avgdl = self.average_length or 1.0
            self._norms = [K1 * (1 - B + B * seg.length / avgdl) for seg in self.segments]
        return self._norms

    def visible(self, hidden: np.ndarray) -> list[np.ndarray]:
        """Return, per segment, the alive slots that are not hidden; the last answer is kept for the same array."""
        kept = self._visible
        if kept is not None and kept[0] is hidden:  # the index hands out one array until the set changes
            return kept[1]
        masks = []
        for seg, alive in zip(self.segments, self.alive, strict=False):
            mask = alive.copy()
            mask[_slots_of(seg, hidden)] = False
            masks.append(mask)
        self._visible = (hidden, masks)
        return masks


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
    known = [seg.token_id(t) for t in (toks[:-1] if clause.prefix else toks)]
    ids = [i for i in known if i is not None]
    if len(ids) != len(known):
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
            i, j = _common(found[0], slots)
            found = (found[0][i], np.minimum(found[1][i], freq[j]))
        if not len(found[0]):
            return empty
    assert found is not None  # a phrase has at least one pair of words
    if len(toks) >= 3:
        if clause.prefix or any(len(t) != 1 for t in toks):
            i, _ = _common(found[0], _slots_of(seg, exact(clause)))
        else:
            i = _char_phrase(seg, ids, found[0])
        found = (found[0][i], found[1][i])
    return found


def _common(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the places in a and in b of the values both hold (each ascending, without repeats)."""
    if len(a) > len(b):
        j, i = _common(b, a)
        return i, j
    if not len(a):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)  # binary searches of the shorter list in the longer
    i = np.flatnonzero(b[at] == a)
    return i, at[i]


def _char_phrase(seg: Segment, ids: list[int], candidates: np.ndarray) -> np.ndarray:
    """Return the places of the candidate slots (ascending) that hold a phrase of one-character tokens (by id) whole.

    The phrase starts at x when its first pair is at x, its second at x + 1, and so on; the
    rarest pair's positions are the starts to try, and each other pair keeps those it continues.
    """
    lists = [seg.char_pairs.of((ids[i] << 32) | ids[i + 1]) for i in range(len(ids) - 1)]
    order = sorted(range(len(lists)), key=lambda i: len(lists[i]))  # rarest first: fewer to carry on
    start = lists[order[0]].astype(np.int64) - order[0]
    for i in order[1:]:
        if not len(start):
            break
        start = _both(start + i, lists[i]) - i
    # A slot holds the phrase when a start falls among its tokens (pairs never cross slots).
    return np.flatnonzero(
        np.searchsorted(start, seg.token_start[candidates + 1]) > np.searchsorted(start, seg.token_start[candidates])
    )


def _both(a: np.ndarray, b: np.ndarray, bound: int | None = None) -> np.ndarray:
    """Return the values in both ascending lists (each without repeats), ascending.

    With ``bound`` (every value is below it, as slots are below the segment's size) lists of
    similar length meet in a mask of that size; without, they are merged.
    """
    if min(len(a), len(b)) * 16 < max(len(a), len(b)):  # binary searches of the few in the many
        return a[_common(a, b)[0]]
    if bound is not None:  # (measured at a million slots: twice as fast as merging)
        seen = np.zeros(bound, dtype=bool)
        seen[b] = True
        return a[np.flatnonzero(seen[a])]
    # Merged (a stable sort merges two sorted runs in one pass), a value in both is next to itself.
    merged = np.concatenate([a, b])
    merged.sort(kind="stable")
    return merged[np.flatnonzero(merged[1:] == merged[:-1])]  # (a take: faster than a boolean index)


def _gather(postings: Postings, a: int, b: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    slots, freq = postings.slots[a:b], postings.freq[a:b]
    if len(slots) and not np.all(slots[1:] > slots[:-1]):  # several keys (a prefix): add up per slot
        if len(slots) * 10 < n:  # few: sort them (cheaper than a pass over every slot)
            order = np.argsort(slots, kind="stable")
            slots = slots[order]
            starts = np.flatnonzero(np.r_[True, slots[1:] != slots[:-1]])
            return slots[starts].astype(np.int64), np.add.reduceat(freq[order].astype(np.float64), starts)
        dense = np.bincount(slots, weights=freq, minlength=n)
        hit = np.flatnonzero(dense != 0)  # (of a boolean array: several times faster than of the floats)
        return hit, dense[hit]
    return slots.astype(np.int64), freq.astype(np.float64)


def rank(
    snapshot: Snapshot,
    query: ParsedQuery | None,
    *,
    filter_codes: list[list[int]],
    hidden: np.ndarray | list[int],
    offset: int,
    limit: int,
    exact_phrase,
    now: float | None = None,
) -> Ranked:
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
    for seg, alive in zip(snapshot.segments, snapshot.alive, strict=False):
        found = [_clause(seg, c, exact) for c in phrases]
        for i, (slots, _) in enumerate(found):
            hits[i] += int(alive[slots].sum()) if len(slots) else 0
        per_seg.append(found)
    idf = np.log((snapshot.rows - hits + 0.5) / (hits + 0.5))
    idf[idf <= 0] = 1e-6
    ids_all, exact_all, score_all = [], [], []
    code_counts: Counter[int] = Counter()
    total = 0
    for seg, visible, norms, found in zip(
        snapshot.segments, snapshot.visible(hidden), snapshot.norms(), per_seg, strict=False
    ):
        n = seg.size
        clauses = iter(found)
        groups = [[next(clauses)[0] for _ in group.clauses] for group in (query.groups if query else [])]
        sel, mask, picked = _selection(seg, visible, groups, filter_codes)
        for clause in excluded:
            gone = _common(sel, _clause(seg, clause, exact)[0])[0]
            sel, mask = np.delete(sel, gone), None
            picked = None if picked is None else np.delete(picked, gone)
        if not len(sel):
            continue
        total += len(sel)
        if mask is None and len(sel) * CODE_COLUMNS * 4 > seg.counting.cost:
            mask = np.zeros(n, dtype=bool)
            mask[sel] = True
        code_counts.update(_count_codes(seg, sel, mask))
        if not query or not limit:
            continue
        norm = norms[sel]
        score = np.zeros(len(sel))
        scratch = None  # each clause's frequencies by slot, to read at the selection's (zero again after)
        for i, (slots, freq) in enumerate(found):
            if not len(slots):
                continue
            if picked is not None:  # the only clause: the selection is some of its matches
                f = freq[picked]
            else:
                scratch = np.zeros(n) if scratch is None else scratch
                scratch[slots] = freq
                f = scratch[sel]
                scratch[slots] = 0.0
            term = f * (idf[i] * (K1 + 1.0))  # bm25's idf · f · (K1 + 1) / (f + norm), in place
            f = f + norm
            term /= f
            score += term
        fresh = seg.epoch[sel]  # boost × (1 + 0.25 / (1 + age / FRESHNESS_SECONDS)), in place
        np.subtract(now, fresh, out=fresh)
        fresh /= FRESHNESS_SECONDS
        fresh += 1.0
        np.divide(0.25, fresh, out=fresh)
        fresh += 1.0
        fresh *= seg.boost[sel]
        score *= fresh
        named = seg.names.get(query.key) if query.key else None
        ids_all.append(seg.ids[sel])
        is_named = np.zeros(len(sel), dtype=bool)
        if named is not None:
            is_named[_common(named, sel)[1]] = True
        exact_all.append(is_named)
        score_all.append(score)
    if not ids_all:
        return Ranked(total, code_counts, [])
    page = _top(np.concatenate(ids_all), np.concatenate(exact_all), np.concatenate(score_all), offset, limit)
    return Ranked(total, code_counts, page)


def _selection(
    seg: Segment, visible: np.ndarray, groups: list[list[np.ndarray]], filter_codes: list[list[int]]
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """Return the visible slots (ascending) in every group's matches, with every filter's codes.

    A query's selection is built from its matches' slot lists, so its cost follows their length,
    not the segment's; browsing starts from every visible slot, as a mask (which is returned too,
    for counting: None when the selection came from lists). The third item, for a query of one
    clause, is the selection's places in that clause's matches (else None).
    """
    n = seg.size
    wants = []
    for wanted in filter_codes:
        want = np.zeros(n, dtype=bool)
        for code in wanted:
            slots = seg.by_code.get(code)
            if slots is not None:
                want[slots] = True
        wants.append(want)
    if not groups:
        mask = visible.copy()
        for want in wants:
            mask &= want
        return np.flatnonzero(mask), mask, None
    if len(groups) == 1 and len(groups[0]) == 1:  # one clause: its places kept, to read its frequencies at
        got = groups[0][0]
        keep = visible[got]
        for want in wants:
            keep &= want[got]
        picked = np.flatnonzero(keep)
        return got[picked], None, picked
    sel: np.ndarray | None = None
    for lists in groups:
        if len(lists) == 1:
            got = lists[0]
        else:  # one of several clauses: the union, from a mask
            seen = np.zeros(n, dtype=bool)
            for slots in lists:
                seen[slots] = True
            got = np.flatnonzero(seen)
        sel = got if sel is None else _both(sel, got, n)
    assert sel is not None  # groups is not empty: that case returned above
    keep = visible[sel]
    for want in wants:
        keep &= want[sel]
    return sel[np.flatnonzero(keep)], None, None


def _slots_of(seg: Segment, entry_ids: np.ndarray) -> np.ndarray:
    # Slots are in entry order, so a binary search finds each id's slot (ids not here are dropped);
    # the slots are returned ascending, whatever the order of the ids.
    if not seg.size or not len(entry_ids):
        return np.zeros(0, dtype=np.int64)
    at = np.minimum(np.searchsorted(seg.ids, entry_ids), seg.size - 1)
    return np.sort(at[seg.ids[at] == entry_ids])


def _count_codes(seg: Segment, sel: np.ndarray, mask: np.ndarray | None) -> Counter:
    # The selection's codes, from whichever layout is cheaper for its size: its rows of the
    # table of codes per slot, or the bitmaps and lists of each code's slots. (A cell of the table
    # costs about four of the units the bitmaps' cost is counted in: measured at 100k slots.)
    if len(sel) * CODE_COLUMNS * 4 > seg.counting.cost:
        assert mask is not None  # the caller makes the mask whenever this layout is the cheaper
        codes, tally = seg.counting.count(mask)
        present = np.flatnonzero(tally)
        return Counter(dict(zip(codes[present].tolist(), tally[present].tolist(), strict=False)))
    tally = np.bincount(seg.code_table[sel].ravel())
    tally[0] = 0  # padding
    present = np.flatnonzero(tally)
    found = Counter(dict(zip(present.tolist(), tally[present].tolist(), strict=False)))
    if seg.code_more:
        for slot in np.intersect1d(sel, np.fromiter(seg.code_more, dtype=np.int64)).tolist():
            found.update(seg.code_more[slot].tolist())
    return found


def _top(ids: np.ndarray, exact: np.ndarray, score: np.ndarray, offset: int, limit: int) -> list[int]:
    # Order: exact name first, then higher score, then lower id; only the first offset+limit are sorted.
    want = offset + limit
    key = np.where(exact, np.inf, score)
    if want < len(ids):
        # The want-th highest key of every step-th one is at most the want-th highest of all:
        # what reaches it is a few times want, and partitioning those is cheap.
        step = max(1, len(key) // (64 * want))
        some = key[::step]
        threshold = np.partition(some, len(some) - want)[len(some) - want] if len(some) > want else -np.inf
        keep = np.flatnonzero(key >= threshold)
        if len(keep) > want:
            part = key[keep]
            threshold = np.partition(part, len(part) - want)[len(part) - want]
            keep = keep[part >= threshold]  # ties at the threshold all stay
        ids, exact, score = ids[keep], exact[keep], score[keep]
    order = np.lexsort((ids, -score, ~exact))
    return ids[order][offset : offset + limit].tolist()


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
            text("SELECT generation, reset_generation FROM search_index_state WHERE id = 1")
        ).one()
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
        changed = sorted(
            r[0]
            for r in session.execute(
                text("SELECT DISTINCT entry_id FROM search_index_changes WHERE generation > :g"), {"g": snap.generation}
            )
        )
        if not changed:
            return Snapshot(snap.segments, snap.alive, generation)
        gone = np.asarray(changed, dtype=np.int64)
        segments, alive = list(snap.segments), []
        for seg, live in zip(segments, snap.alive, strict=False):
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


_INDEXES: weakref.WeakKeyDictionary[Engine, MemoryIndex] = weakref.WeakKeyDictionary()
_ENABLED: weakref.WeakSet[Engine] = weakref.WeakSet()
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
