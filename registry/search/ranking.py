"""Ranking and counting a query over a snapshot of segments, in numpy (the in-memory copy's query side).

A snapshot is a list of segments (mapped from the shared files, or built in this process) with
which of their slots are alive. ``rank`` finds a query's matches in each, counts their facet
codes, and scores them with the same bm25 as FTS5 (its field weights, boosts and freshness).
See memory.py for how snapshots are kept in step, and docs/search.md.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .documents import FIELD_WEIGHTS, FRESHNESS_SECONDS
from .query import Clause, ParsedQuery
from .segments import CODE_COLUMNS, FIELD_BITS, Postings, Segment

#: bm25 as FTS5 computes it, with the same field weights as the SQLite backend.
K1, B = 1.2, 0.75


# --- a snapshot: segments with the slots still alive, and the statistics bm25 needs ----------------


class Snapshot:
    """Segments and which of their slots are alive, as of one value of the counter; never changed."""

    def __init__(self, segments: list[Segment], alive: list[np.ndarray], generation: int, base: int = 1):
        self.segments, self.alive, self.generation = segments, alive, generation
        #: The first ``base`` segments are the index as read whole (a shared set's, or this
        #: process's own); the others hold the entries changed since, read from the change notes.
        self.base = base
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
            found = (found[0][i], found[1][i])
        else:
            found = _char_phrase(seg, ids, found[0])
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


_FIELD_WEIGHTS = np.asarray(FIELD_WEIGHTS, dtype=np.float64)


def _char_phrase(seg: Segment, ids: list[int], candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the candidate slots (ascending) that hold a phrase of one-character tokens (by id) whole,
    and the field-weighted count of its occurrences in each (what FTS5's bm25 counts for a phrase).

    The phrase starts at x when its first pair is at x, its second at x + 1, and so on; the
    rarest pair's positions are the starts to try, and each other pair keeps those it continues.
    Pairs never cross fields, so a start keeps the field of its first pair.
    """
    step = 1 << FIELD_BITS
    lists = [seg.char_pairs.of((ids[i] << 32) | ids[i + 1]).astype(np.int64) for i in range(len(ids) - 1)]
    order = sorted(range(len(lists)), key=lambda i: len(lists[i]))  # rarest first: fewer to carry on
    start = lists[order[0]] - order[0] * step
    for i in order[1:]:
        if not len(start):
            break
        start = _both(start + i * step, lists[i]) - i * step
    # A slot holds the phrase when a start falls among its tokens (pairs never cross slots).
    weights = np.r_[0.0, np.cumsum(_FIELD_WEIGHTS[start & (step - 1)], dtype=np.float64)]
    low = np.searchsorted(start, seg.token_start[candidates] << FIELD_BITS)
    high = np.searchsorted(start, seg.token_start[candidates + 1] << FIELD_BITS)
    held = np.flatnonzero(high > low)
    return candidates[held], weights[high[held]] - weights[low[held]]


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
    by_date: bool = False,
) -> Ranked:
    """Find, count and rank a query's matches: exact name first, then bm25 × boosts, then entry id.

    Without a query every entry is a match (browsing: counted, not ranked). ``filter_codes``
    holds, per filtered facet, the codes of its wanted values (one must match); ``hidden`` are
    entry ids never to show whatever the index says. ``exact_phrase(clause)`` returns the ids of
    the entries that hold a phrase of three or more tokens exactly (the database knows positions;
    the pairs here only narrow it down). ``by_date``: the page is the newest matches instead
    (each slot's time is its entry's `updated_at`), the higher id first among equals.
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
        if by_date and limit:  # newest first, then the higher id: the database's order of `sort=updated`
            ids_all.append(-seg.ids[sel])
            exact_all.append(np.zeros(len(sel), dtype=bool))
            score_all.append(seg.epoch[sel])
            continue
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
    return Ranked(total, code_counts, [-id_ for id_ in page] if by_date else page)


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
    if len(seg.code_more):
        for slot in np.intersect1d(sel, seg.code_more.keys).tolist():
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
